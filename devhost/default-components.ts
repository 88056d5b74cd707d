import { join } from "node:path";
import type { HostComponent } from "./component.js";
import { readHostJson } from "./host-json.js";

/**
 * The components `npm start` runs, so devhost serves every trigger the app
 * registers: Service Bus topics and NCRONTAB timers. They are imported lazily
 * (after the host's core shim) and one that fails to load is reported by name;
 * its functions are then rejected at start-up as unsupported.
 */
export async function defaultComponents(hostJsonPath = join(process.cwd(), "host.json")): Promise<HostComponent[]> {
  // host.json's Service Bus settings (concurrency, auto-complete, lock renewal) apply as they would in Azure.
  const receiver = readHostJson(hostJsonPath, process.env).serviceBus;
  const factories: Array<[string, () => Promise<HostComponent>]> = [
    ["Service Bus", async () => (await import("./servicebus/index.js")).serviceBusComponent({ receiver })],
    ["timer", async () => (await import("./timer/index.js")).timerComponent()],
  ];
  const components: HostComponent[] = [];
  for (const [name, create] of factories) {
    try {
      components.push(await create());
    } catch (error) {
      console.error(`[devhost] the ${name} component could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return components;
}
