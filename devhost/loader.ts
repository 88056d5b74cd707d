import Module from "node:module";
import { pathToFileURL } from "node:url";

/** A binding as `@azure/functions` hands it to the host (RPC metadata shape). */
export interface CapturedBinding {
  type: string;
  direction: "in" | "out" | "inout";
  [option: string]: unknown;
}

/** One function the app registered: its name, bindings by binding name, and handler. */
export interface CapturedFunction {
  name: string;
  bindings: Record<string, CapturedBinding>;
  /** Retry policy from `app.*({ retry })`, when given. */
  retryOptions?: unknown;
  // The handler's real signature depends on the programming model, which the host drives.
  handler: (...args: unknown[]) => unknown;
  /** The trigger binding's name and options. */
  trigger: { name: string; binding: CapturedBinding };
}

/** One invocation as the worker hands it to the programming model (`CoreInvocationContext`, the parts devhost fills). */
export interface CoreInvocation {
  invocationId: string;
  metadata: { name: string; bindings: Record<string, CapturedBinding>; retryOptions?: unknown };
  request: {
    invocationId: string;
    functionId: string;
    inputData: Array<{ name: string; data?: unknown }>;
    triggerMetadata?: Record<string, unknown>;
    traceContext?: unknown;
    retryContext?: unknown;
  };
  /** The worker's phase; the library warns about logs after the handler returned unless it is `postInvocationHooks`. */
  state: "preInvocationHooks" | "invocation" | "postInvocationHooks";
  log(level: string, category: string, message: string): void;
}

/** The programming model's per-invocation conversions (`@azure/functions-core` `InvocationModel`). */
export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: CapturedFunction["handler"]): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<unknown>;
}

/** What `setProgrammingModel` receives: the app's programming model, e.g. `@azure/functions`'. */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: CoreInvocation): InvocationModel;
}

export interface CapturedApp {
  functions: Map<string, CapturedFunction>;
  programmingModel?: { name: string; version: string };
  /** The model object itself: devhost invokes functions through it, as the Node worker does. */
  model?: ProgrammingModel;
  hooks: Map<string, Array<(context: unknown) => unknown>>;
}

/** Trigger and binding types devhost serves; anything else is reported at start-up. */
export const SupportedTriggerTypes = ["httpTrigger", "serviceBusTrigger", "timerTrigger", "orchestrationTrigger", "activityTrigger"] as const;
export const SupportedBindingTypes = ["http", "durableClient"] as const;

export class UnsupportedBindingError extends Error {
  override readonly name = "UnsupportedBindingError";
}

const coreModuleName = "@azure/functions-core";
let installed: CapturedApp | undefined;

/**
 * Stands in for the Functions worker: supplies `@azure/functions-core` so that
 * `@azure/functions` registers every function here instead of entering test mode.
 * Must run before the app (or `@azure/functions`) is first loaded.
 */
export function installCoreShim(): CapturedApp {
  if (installed) return installed;
  const captured: CapturedApp = { functions: new Map(), hooks: new Map() };
  const coreApi = {
    version: "devhost",
    hostVersion: "4.0.0-devhost",
    setProgrammingModel(model: ProgrammingModel) {
      captured.programmingModel = { name: model.name, version: model.version };
      captured.model = model;
    },
    getProgrammingModel() {
      return captured.programmingModel;
    },
    registerFunction(metadata: { name: string; bindings: Record<string, CapturedBinding>; retryOptions?: unknown }, handler: CapturedFunction["handler"]) {
      const triggerEntry = Object.entries(metadata.bindings).find(([, b]) => /trigger$/i.test(b.type));
      if (!triggerEntry) throw new UnsupportedBindingError(`Function "${metadata.name}" has no trigger binding`);
      if (captured.functions.has(metadata.name)) {
        throw new UnsupportedBindingError(`Function "${metadata.name}" is registered twice`);
      }
      captured.functions.set(metadata.name, {
        name: metadata.name,
        bindings: metadata.bindings,
        retryOptions: metadata.retryOptions,
        handler,
        trigger: { name: triggerEntry[0], binding: triggerEntry[1] },
      });
      return { dispose: () => captured.functions.delete(metadata.name) };
    },
    registerHook(hookName: string, callback: (context: unknown) => unknown) {
      const list = captured.hooks.get(hookName) ?? [];
      list.push(callback);
      captured.hooks.set(hookName, list);
      return { dispose: () => list.splice(list.indexOf(callback) >>> 0, 1) };
    },
    log(level: string, category: string, message: string) {
      if (level === "error" || level === "critical" || level === "warning") console.error(`[${category}] ${message}`);
    },
  };
  type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
  const moduleWithLoad = Module as unknown as { _load: Loader };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request, parent, isMain) {
    if (request === coreModuleName) return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
  installed = captured;
  return captured;
}

/** Trigger and binding types a host serves. */
export interface SupportedTypes {
  triggerTypes: readonly string[];
  bindingTypes: readonly string[];
}

const defaultSupport: SupportedTypes = { triggerTypes: SupportedTriggerTypes, bindingTypes: SupportedBindingTypes };

/** Every trigger or binding of the captured app that devhost cannot serve, by function name. */
export function unsupportedBindings(app: CapturedApp, supported: SupportedTypes = defaultSupport): string[] {
  const problems: string[] = [];
  for (const fn of app.functions.values()) {
    for (const [bindingName, binding] of Object.entries(fn.bindings)) {
      const isTrigger = /trigger$/i.test(binding.type);
      const supportedHere = isTrigger ? supported.triggerTypes.includes(binding.type) : supported.bindingTypes.includes(binding.type);
      if (!supportedHere) {
        problems.push(`${fn.name}: ${isTrigger ? "trigger" : "binding"} "${bindingName}" of type "${binding.type}"`);
      }
    }
  }
  return problems;
}

/**
 * Installs the shim, imports the app's compiled entry files, and returns what they
 * registered. Throws {@link UnsupportedBindingError} naming every binding devhost cannot serve.
 */
export async function loadApp(entryFiles: string[], supported: SupportedTypes = defaultSupport): Promise<CapturedApp> {
  const app = installCoreShim();
  for (const file of entryFiles) await import(pathToFileURL(file).href);
  const problems = unsupportedBindings(app, supported);
  if (problems.length > 0) {
    throw new UnsupportedBindingError(`devhost cannot serve these bindings:\n  ${problems.join("\n  ")}`);
  }
  return app;
}
