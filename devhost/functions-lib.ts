import { installCoreShim } from "./loader.js";

export type FunctionsLib = typeof import("@azure/functions");

let loading: Promise<FunctionsLib> | undefined;

/**
 * `@azure/functions`, loaded only once the core shim is installed: loaded
 * earlier, it would settle into its "test mode" and never register the app's
 * functions. devhost code must reach it through here, never by a static import.
 */
export function functionsLib(): Promise<FunctionsLib> {
  installCoreShim();
  loading ??= import("@azure/functions").then((m) => ((m as { default?: FunctionsLib }).default ?? m) as FunctionsLib);
  return loading;
}
