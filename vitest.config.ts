import { defineConfig } from "vitest/config";

/**
 * Two projects: `unit` needs neither storage nor a build (`npm run test:unit`), `storage` is
 * everything that runs against Azurite or the built app, with one in-memory Azurite for the run.
 * `npm test` builds first and runs both.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "storage", include: ["test/integration/**/*.test.ts", "test/e2e/**/*.test.ts"], globalSetup: ["test/support/global-setup.ts"] },
      },
    ],
  },
});
