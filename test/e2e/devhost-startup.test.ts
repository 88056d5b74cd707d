import { describe, expect, it } from "vitest";
import type { HostComponent, HostContext } from "../../devhost/component.js";
import { startDevHost } from "../../devhost/host.js";
import { UnsupportedBindingError } from "../../devhost/loader.js";
import { azuriteConnectionString } from "../support/storage.js";
import { fixtureDir, uniqueTaskHub } from "../fixtures/devhost-app/harness.js";

const options = () => ({
  appFiles: [`${fixtureDir}unsupported.js`],
  port: 0,
  azurite: { connectionString: azuriteConnectionString() },
  taskHub: uniqueTaskHub(),
  logLevel: "silent" as const,
});

describe("devhost start-up", () => {
  it("names every trigger no component serves", async () => {
    const failure = await startDevHost(options()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UnsupportedBindingError);
    expect((failure as Error).message).toContain('onReply: trigger "');
    expect((failure as Error).message).toContain('"serviceBusTrigger"');
    expect((failure as Error).message).toContain('everyMinute: trigger "');
    expect((failure as Error).message).toContain('"timerTrigger"');
  });

  it("accepts those triggers once components claim them, and hands the components the app and a mount point", async () => {
    const seen: HostContext[] = [];
    let stopped = 0;
    const component = (name: string, triggerType: string): HostComponent => ({
      name,
      triggerTypes: [triggerType],
      async start(ctx) {
        seen.push(ctx);
        ctx.mount(`/_devhost/${name}`, async (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" }).end(name);
        });
      },
      async stop() {
        stopped++;
      },
    });
    const host = await startDevHost({
      ...options(),
      components: [component("bus", "serviceBusTrigger"), component("clock", "timerTrigger")],
    });
    try {
      expect(seen).toHaveLength(2);
      expect(seen[0]!.app.functions.has("onReply")).toBe(true);
      expect(seen[0]!.connectionString).toBe(azuriteConnectionString());
      expect(seen[0]!.baseUrl).toBe(host.url);
      expect(await (await fetch(`${host.url}/_devhost/clock/anything`, { headers: { "x-functions-key": host.key } })).text()).toBe("clock");
    } finally {
      await host.stop();
    }
    expect(stopped).toBe(2);
  });
});
