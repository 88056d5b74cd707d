import { AppSettingNames } from "../../lib/config/names.js";
import type { ApiClient } from "../api-client.js";
import { UsageError } from "../errors.js";
import { DevhostDeadLetters } from "./devhost-backend.js";
import type { DeadLetterBackend } from "./types.js";

type Env = Record<string, string | undefined>;

/** The Service Bus SDK loads only for Azure (it is slow to import). */
const azure = () => import("./azure-backend.js");

/**
 * Which dead letters to work on: `--devhost`; else `--namespace`; else devhost when the API is
 * devhost (its admin routes answer); else the namespace of `ServiceBusConnection` /
 * `ServiceBusConnection__fullyQualifiedNamespace`.
 */
export async function selectBackend(api: ApiClient, flags: { devhost?: boolean; namespace?: string }, env: Env): Promise<DeadLetterBackend> {
  if (flags.devhost && flags.namespace) throw new UsageError("--devhost and --namespace exclude each other");
  if (flags.devhost) return new DevhostDeadLetters(api);
  if (flags.namespace) return (await azure()).AzureDeadLetters.forNamespace(flags.namespace);
  if (await DevhostDeadLetters.detect(api)) return new DevhostDeadLetters(api);
  const name = AppSettingNames.serviceBus;
  if (env[name] || env[`${name}__fullyQualifiedNamespace`]) {
    const { AzureDeadLetters } = await azure();
    const { serviceBusClientFromEnv } = await import("../../lib/bus/service-bus-sender.js");
    return new AzureDeadLetters(serviceBusClientFromEnv(env));
  }
  throw new UsageError(
    `${api.baseUrl} is not devhost and no Service Bus is named: pass --namespace <name>.servicebus.windows.net, or set ${name} or ${name}__fullyQualifiedNamespace`,
  );
}
