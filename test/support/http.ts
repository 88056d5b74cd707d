import { HttpRequest, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";

/** An InvocationContext as the host builds it, with a durable client input bound to `clientBinding`. */
export function invocationContext(functionName: string, clientBinding?: Record<string, unknown>): InvocationContext {
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({
    functionName,
    invocationId: `test-${Math.random().toString(16).slice(2)}`,
    options: { trigger: { type: "httpTrigger", name: "req" }, extraInputs: clientBinding ? [clientInput] : [], extraOutputs: [] },
    logHandler: () => undefined,
  });
  if (clientBinding) context.extraInputs.set(clientInput, clientBinding);
  return context;
}

export interface RequestInit {
  method?: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

export function httpRequest(init: RequestInit): HttpRequest {
  const url = new URL(init.path, "http://localhost:7071");
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  return new HttpRequest({
    method: init.method ?? "GET",
    url: url.href,
    headers: init.headers ?? {},
    query,
    params: init.params ?? {},
    ...(init.body !== undefined ? { body: typeof init.body === "string" ? { string: init.body } : { bytes: init.body } } : {}),
  });
}

export function jsonRequest(path: string, body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return httpRequest({ method: "POST", path, body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
}
