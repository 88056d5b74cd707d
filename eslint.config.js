// @ts-check
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import { importBoundaries } from "./scripts/eslint-import-boundaries.mjs";

/**
 * Which folders each deployment unit may import (docs/architecture.md, "Deployment units").
 * test/unit/import-boundaries.test.ts checks that each is reported.
 * @type {import("./scripts/eslint-import-boundaries.mjs").Boundary[]}
 */
export const importBoundaryRules = [
  {
    files: ["lib"],
    forbid: ["functions", "orchestrations", "workers", "devhost", "cli"],
    why: "lib/ is shared by both apps and the CLI, and depends on none of them",
  },
  {
    files: ["workers"],
    forbid: ["functions", "orchestrations", "cli"],
    why: "the workers app is deployed on its own, without the orchestrator app or the CLI",
  },
  {
    files: ["workers"],
    forbid: ["lib"],
    except: ["lib/worker-kit.ts"],
    why: "the workers take from lib/ only what lib/worker-kit.ts exports (their deployment closure)",
  },
  {
    files: ["functions", "orchestrations", "lib", "workers", "cli"],
    forbid: ["devhost"],
    why: "production code never imports devhost/ (only devhost/, bench/ and test/ may)",
  },
];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "coverage/**", "**/*.gen.ts", ".devhost/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    plugins: { lucius: { rules: { "import-boundaries": importBoundaries } } },
    rules: { "lucius/import-boundaries": ["error", { root: import.meta.dirname, boundaries: importBoundaryRules }] },
  },
);
