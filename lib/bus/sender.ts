import { BusMode, ConfigurationError, type Settings } from "../config/settings.js";
import { AppSettingNames } from "../config/names.js";
import { DevhostBusSender } from "./devhost-sender.js";
import { ServiceBusBusSender, serviceBusClientFromEnv } from "./service-bus-sender.js";
import type { BusSender } from "./types.js";

/**
 * The bus the app publishes through, chosen by `settings.busMode`: Azure Service Bus
 * (connection from `ServiceBusConnection*` in `env`) or devhost's emulator.
 */
export function createBusSender(settings: Settings, env: Record<string, string | undefined> = process.env): BusSender {
  if (settings.busMode === BusMode.devhost) {
    if (!settings.devhostUrl) {
      throw new ConfigurationError(`${AppSettingNames.devhostUrl} is required when ${AppSettingNames.busMode}=devhost`);
    }
    return new DevhostBusSender(settings.devhostUrl, env[AppSettingNames.devhostKey]);
  }
  return new ServiceBusBusSender(serviceBusClientFromEnv(env));
}
