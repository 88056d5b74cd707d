import { AppSettingNames } from "../../lib/config/names.js";
import type { HostComponent, HostContext } from "../component.js";
import { adminHandler, devhostServiceBusPath } from "./admin-routes.js";
import { ServiceBusEmulator, type Receiver, type ServiceBusEmulatorOptions } from "./emulator.js";
import { bindServiceBusTriggers, serviceBusTriggerType } from "./trigger.js";

export interface ServiceBusComponentOptions extends Omit<ServiceBusEmulatorOptions, "connectionString" | "log"> {
  /** Messages per call for `cardinality: "many"` functions. @default 32 */
  manyBatchSize?: number;
}

/** A {@link HostComponent} exposing the emulator it started, for tools and tests. */
export interface ServiceBusHostComponent extends HostComponent {
  /** The running emulator; throws before `start`. */
  readonly emulator: ServiceBusEmulator;
}

/**
 * devhost's Service Bus: starts the emulator on the host's Azurite, mounts the admin API
 * under `/_devhost/servicebus`, and runs every `serviceBusTrigger` function.
 */
export function serviceBusComponent(options: ServiceBusComponentOptions = {}): ServiceBusHostComponent {
  let emulator: ServiceBusEmulator | undefined;
  let receivers: Receiver[] = [];
  return {
    name: "servicebus",
    triggerTypes: [serviceBusTriggerType],
    get emulator(): ServiceBusEmulator {
      if (!emulator) throw new Error("The Service Bus component has not started");
      return emulator;
    },
    async start(ctx: HostContext): Promise<void> {
      const { manyBatchSize, ...emulatorOptions } = options;
      const tablePrefix = emulatorOptions.tablePrefix ?? defaultTablePrefix(ctx.env[AppSettingNames.taskHub]);
      const started = new ServiceBusEmulator({ ...emulatorOptions, tablePrefix, connectionString: ctx.connectionString, log: ctx.log });
      await started.start();
      receivers = await bindServiceBusTriggers(started, ctx, { ...options.receiver, ...(manyBatchSize ? { manyBatchSize } : {}) });
      emulator = started;
      ctx.mount(devhostServiceBusPath, adminHandler(started));
      const subs = [...started.topics.values()].flatMap((t) => [...t.subscriptions.keys()].map((s) => `${t.name}/${s}`));
      ctx.log(`servicebus: ${receivers.length} trigger(s) on ${subs.join(", ")}; admin API at ${ctx.baseUrl}${devhostServiceBusPath}`);
    },
    async stop(): Promise<void> {
      await Promise.all(receivers.map((r) => r.close()));
      receivers = [];
      await emulator?.close();
    },
  };
}

/**
 * The bus of one task hub: two devhosts on one Azurite with different task hubs (tests, a second
 * checkout) each need tables of their own, since a process keeps its locks in memory.
 */
export function defaultTablePrefix(taskHub: string | undefined): string {
  const hub = (taskHub ?? "").replace(/[^A-Za-z0-9]/g, "").slice(0, 40);
  return `devhostsb${hub}`;
}
