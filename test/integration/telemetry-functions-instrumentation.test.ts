import { context, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager, type TextMapPropagator } from "@opentelemetry/api";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { installCoreShim } from "../../devhost/loader.js";
import { startAzureMonitor } from "../../lib/telemetry/azure-monitor.js";

// What Azure Monitor's SDK registers in production, reduced to what the hook needs: a propagator
// that reads `traceparent`, and a context manager (synchronous here; the SDK's uses AsyncLocalStorage).
const traceparentPropagator: TextMapPropagator = {
  inject: () => undefined,
  extract(ctx, carrier) {
    const header = (carrier as Record<string, string | undefined>).traceparent;
    const match = header ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-(\d{2})$/.exec(header) : null;
    return match ? trace.setSpanContext(ctx, { traceId: match[1]!, spanId: match[2]!, traceFlags: Number(match[3]), isRemote: true }) : ctx;
  },
  fields: () => ["traceparent"],
};
let current: Context = ROOT_CONTEXT;
const syncContextManager: ContextManager = {
  active: () => current,
  with(ctx, fn, thisArg, ...args) {
    const previous = current;
    current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      current = previous;
    }
  },
  bind(ctx, target) {
    return typeof target === "function"
      ? (((...args: unknown[]) => this.with(ctx, target as (...a: unknown[]) => unknown, undefined, ...args)) as typeof target)
      : target;
  },
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};

afterAll(() => {
  context.disable();
  propagation.disable();
});

const connectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/";

describe("the Functions OpenTelemetry instrumentation", () => {
  it("loads in the compiled app as Node runs it (an ES module reaching a CommonJS package)", async () => {
    // Outside the Functions worker @azure/functions is in test mode and skips the hooks, saying so.
    const script = `const m = await import(${JSON.stringify(join(packageRoot, "dist/lib/telemetry/azure-monitor.js"))});
      console.log(JSON.stringify(m.startAzureMonitor("lucius-test", { APPLICATIONINSIGHTS_CONNECTION_STRING: ${JSON.stringify(connectionString)} }, () => undefined)));`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { env: { PATH: process.env.PATH } });
    expect(stdout.trim().split("\n").at(-1)).toBe("true");
    expect(stderr).toContain("Skipping call to register preInvocation hook");
  });

  it("is on with Azure Monitor, and runs each handler in the trace context the host sends", async () => {
    // As the Node worker provides @azure/functions-core before the app loads.
    const app = installCoreShim();
    context.setGlobalContextManager(syncContextManager);
    propagation.setGlobalPropagator(traceparentPropagator);
    const env = { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString };
    expect(startAzureMonitor("lucius-test", env, () => undefined)).toBe(true);

    const hooks = app.hooks.get("preInvocation") ?? [];
    expect(hooks, "the instrumentation registered a preInvocation hook").toHaveLength(1);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    let seenTraceId: string | undefined;
    const core = {
      hookData: {},
      appHookData: {},
      invocationContext: { traceContext: { traceParent: `00-${traceId}-00f067aa0ba902b7-01`, traceState: "" } },
      inputs: [],
      functionCallback: () => {
        seenTraceId = trace.getSpanContext(context.active())?.traceId;
      },
    };
    await hooks[0]!(core);
    core.functionCallback();
    expect(seenTraceId).toBe(traceId);
  });
});
