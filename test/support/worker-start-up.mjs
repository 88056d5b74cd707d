// Run as a child process: node worker-start-up.mjs <app dir> [<dist root>]
// Starts an app the way the Node worker's startApp does: package.json `main` (read in <app dir>)
// expanded by globby 11, the worker's own dependency, relative to <dist root> (default <app dir>);
// each file loaded in that order; the first file that throws blocks start-up, reported with the
// worker's message. `@azure/functions-core` is supplied as the worker supplies it, recording each
// registration and the entry file it came from. Prints one JSON line.
import { readFileSync } from "node:fs";
import Module from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import globby from "globby";

const appDir = resolve(process.argv[2]);
const distRoot = resolve(process.argv[3] ?? appDir);
const { main } = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8"));
const files = await globby(main, { cwd: distRoot });
const functions = [];
let currentFile;
let programmingModel;
const coreApi = {
  version: "start-up-probe",
  hostVersion: "4.0.0-probe",
  setProgrammingModel: (model) => (programmingModel = model.name),
  getProgrammingModel: () => programmingModel,
  registerFunction: (metadata) => (functions.push({ name: metadata.name, file: currentFile }), { dispose() {} }),
  registerHook: () => ({ dispose() {} }),
  log() {},
};
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  return request === "@azure/functions-core" ? coreApi : originalLoad.call(this, request, parent, isMain);
};

const loaded = [];
let blockingError;
for (const file of files) {
  currentFile = file;
  try {
    await import(pathToFileURL(join(distRoot, file)).href);
    loaded.push(file);
  } catch (error) {
    blockingError = `Worker was unable to load entry point "${file}": ${error instanceof Error ? error.message : String(error)}`;
    break;
  }
}
console.log(JSON.stringify({ files, loaded, functions, programmingModel, blockingError }));
process.exit(0);
