// Bundles the web console (lib/console/web) into dist/console, which functions/console.ts serves.
// Run by `npm run build` after tsc; prints the gzip size of what the page loads first.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "lib/console/web");
const out = join(root, "dist/console");
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: join(source, "main.tsx") },
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(source, "index.html"), join(out, "index.html"));

const sizes = readdirSync(out).map((name) => [name, gzipSync(readFileSync(join(out, name)), { level: 9 }).length]);
const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
console.log(`console: ${sizes.map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KB`).join(", ")} gzipped (${(total / 1024).toFixed(1)} KB in all)`);
