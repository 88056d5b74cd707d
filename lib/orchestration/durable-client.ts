import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient } from "durable-functions";

/** Distinct client payloads kept; the host sends one per task hub and key, so more means keys rotated. */
const maxClients = 8;
const clients = new Map<string, DurableClient>();

/**
 * The client's HTTP calls go through the axios instance it holds (not public API;
 * test/unit/durable-functions-internals.test.ts pins it). Axios sends through `follow-redirects`
 * unless redirects are off, a wrapper around every request that costs the worker about a tenth of
 * a millisecond per start and raise. The Durable HTTP API answers 2xx and 4xx, never a redirect; one
 * would come from something in between, and following it would turn the POST into a GET, so with
 * redirects off it surfaces as the client's error for an unexpected status instead.
 */
function withoutRedirects(client: DurableClient): DurableClient {
  (client as unknown as { axiosInstance: { defaults: { maxRedirects?: number } } }).axiosInstance.defaults.maxRedirects = 0;
  return client;
}

/**
 * The invocation's Durable client, made once per distinct binding payload and reused, as an SDK client
 * should be. `df.getClient` builds a new client per call (an axios instance, and every management URL
 * checked by a URL validator), about a fifth of a millisecond of CPU in the path of every command and
 * reply, while the host hands every invocation of a worker process the same payload.
 */
export function durableClient(context: InvocationContext): DurableClient {
  // The binding types durable-functions' own getClient looks for.
  const input = context.options.extraInputs.find((i) => i.type === "durableClient" || i.type === "orchestrationClient");
  const payload = input === undefined ? undefined : context.extraInputs.get(input);
  // Anything unexpected is left to getClient, which says what is wrong with it.
  if (payload === undefined || payload === null || typeof payload !== "object") return df.getClient(context);
  const key = JSON.stringify(payload);
  let client = clients.get(key);
  if (!client) {
    client = withoutRedirects(df.getClient(context));
    if (clients.size >= maxClients) clients.clear();
    clients.set(key, client);
  }
  return client;
}
