#!/usr/bin/env node
// The `lucius` command: runs the compiled CLI (npm run build emits dist/cli/).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/cli.js", import.meta.url);
if (!existsSync(entry)) {
  console.error("lucius: the CLI is not built yet; run `npm run build` first");
  process.exit(2);
}
await import(entry.href);
