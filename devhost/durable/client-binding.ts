import type { CapturedFunction } from "../loader.js";
import type { RpcParameterBinding } from "../rpc-data.js";

/** The internal mount of the Durable client API, as the extension exposes it. */
export const durableApiPrefix = "/runtime/webhooks/durabletask";

/**
 * The `durableClient` binding value the extension hands to functions, as with
 * `localRpcEndpointEnabled: false`: no `rpcBaseUrl`, so `durable-functions` calls the
 * webhook URLs, which carry the system key as `code=` (`requiredQueryStringParameters`) the
 * way the real host hands it out. Without `key` the URLs carry none (the API then answers 401).
 */
export function durableClientBinding(baseUrl: string, taskHub: string, key?: string): Record<string, unknown> {
  const api = `${baseUrl}${durableApiPrefix}`;
  const query = `taskHub=${encodeURIComponent(taskHub)}&connection=Storage${key ? `&code=${encodeURIComponent(key)}` : ""}`;
  const instance = `${api}/instances/INSTANCEID`;
  return {
    taskHubName: taskHub,
    creationUrls: {
      createNewInstancePostUri: `${api}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      waitOnNewInstancePostUri: `${api}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: api,
    requiredQueryStringParameters: query,
  };
}

/** The management payload (`createCheckStatusResponse` body) for one instance. */
export function managementPayload(baseUrl: string, taskHub: string, instanceId: string, key?: string): Record<string, string> {
  const urls = durableClientBinding(baseUrl, taskHub, key).managementUrls as Record<string, string>;
  const id = encodeURIComponent(instanceId);
  return Object.fromEntries(Object.entries(urls).map(([key, value]) => [key, key === "id" ? instanceId : value.replace("INSTANCEID", id)]));
}

/**
 * The `durableClient` (and older `orchestrationClient`) inputs of a function as the Durable
 * extension hands them to the worker: the JSON text of the binding data, as RPC `string` data.
 */
export function durableClientInputData(binding: Record<string, unknown>): (fn: CapturedFunction) => RpcParameterBinding[] {
  const text = JSON.stringify(binding);
  return (fn) =>
    Object.entries(fn.bindings)
      .filter(([, b]) => b.direction === "in" && (b.type === "durableClient" || b.type === "orchestrationClient"))
      .map(([name]) => ({ name, data: { string: text } }));
}
