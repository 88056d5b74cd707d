/**
 * Checks Bicep files against each other, the way `bicep build` would for the parts that matter
 * here: module paths exist, modules are given only parameters they declare and every required
 * one, `<module>.outputs.<name>` names a declared output, and imports name exported symbols.
 * Registry (AVM) modules are checked against their recorded interfaces
 * (test/fixtures/infra/avm-interfaces.json, read from each module's main.bicep at its tag).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { bicepFile } from "./bicep-resolve.js";
import type { BicepFile } from "./bicep-text.js";

/** A module's interface: parameter → "required" | "optional", and its output names. */
export interface ModuleInterface {
  params: Record<string, "required" | "optional">;
  outputs: string[];
}

export type AvmInterfaces = Record<string, ModuleInterface & { source: string }>;

/** Registry references must pin an exact version. */
const registryReference = /^br\/public:avm\/(res|ptn|utl)\/[a-z0-9/-]+:\d+\.\d+\.\d+$/;

export function readAvmInterfaces(path: string): AvmInterfaces {
  return JSON.parse(readFileSync(path, "utf8")) as AvmInterfaces;
}

function localInterface(file: BicepFile): ModuleInterface {
  return {
    params: Object.fromEntries([...file.params.values()].map((p) => [p.name, p.required ? "required" : "optional"])),
    outputs: [...file.outputs.keys()],
  };
}

/** Every cross-file problem in `mainPath` and the local files it reaches. */
export function crossFileProblems(mainPath: string, avm: AvmInterfaces): string[] {
  const problems: string[] = [];
  const root = dirname(mainPath);
  const seen = new Set<string>();
  const queue = [mainPath];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const file = bicepFile(path);
    const where = relative(root, path);
    const interfaces = new Map<string, ModuleInterface>();

    for (const module of file.modules.values()) {
      let iface: ModuleInterface | undefined;
      if (module.path.includes(":")) {
        if (!registryReference.test(module.path)) {
          problems.push(`${where}: module '${module.symbol}' reference '${module.path}' is not an AVM module pinned to an exact version`);
        }
        iface = avm[module.path];
        if (!iface) problems.push(`${where}: module '${module.symbol}' uses '${module.path}', whose interface is not recorded`);
      } else {
        const target = join(dirname(path), module.path);
        if (!existsSync(target)) {
          problems.push(`${where}: module '${module.symbol}' path '${module.path}' does not exist`);
        } else {
          iface = localInterface(bicepFile(target));
          queue.push(target);
        }
      }
      if (!iface) continue;
      interfaces.set(module.symbol, iface);
      for (const given of module.params.keys()) {
        if (!(given in iface.params)) problems.push(`${where}: module '${module.symbol}' is given '${given}', which it does not declare`);
      }
      for (const [name, kind] of Object.entries(iface.params)) {
        if (kind === "required" && !module.params.has(name)) {
          problems.push(`${where}: module '${module.symbol}' is not given its required parameter '${name}'`);
        }
      }
    }

    for (const match of file.code.matchAll(/\b([A-Za-z_]\w*)[!?]?\.\??outputs\.\??([A-Za-z_]\w*)/g)) {
      const [, symbol, output] = match;
      if (!file.modules.has(symbol!)) {
        problems.push(`${where}: '${symbol}.outputs.${output}' refers to no module`);
        continue;
      }
      const iface = interfaces.get(symbol!);
      if (iface && !iface.outputs.includes(output!)) {
        problems.push(`${where}: module '${symbol}' has no output '${output}'`);
      }
    }

    for (const imported of file.imports) {
      const target = join(dirname(path), imported.path);
      if (!existsSync(target)) {
        problems.push(`${where}: import path '${imported.path}' does not exist`);
        continue;
      }
      const source = bicepFile(target);
      for (const name of imported.names) {
        if (!source.vars.get(name)?.exported) problems.push(`${where}: '${name}' is not exported by '${imported.path}'`);
      }
    }
  }
  return problems;
}

/** The local .bicep files reachable from `mainPath` (main included). */
export function reachableBicepFiles(mainPath: string): string[] {
  const files: string[] = [];
  const queue = [mainPath];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (files.includes(path) || !existsSync(path)) continue;
    files.push(path);
    const file = bicepFile(path);
    for (const module of file.modules.values()) if (!module.path.includes(":")) queue.push(join(dirname(path), module.path));
    for (const imported of file.imports) queue.push(join(dirname(path), imported.path));
  }
  return files;
}
