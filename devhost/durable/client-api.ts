import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, sendProblem } from "../http/problem.js";
import { pathSegments } from "../http/router.js";
import { readBody } from "../http/server.js";
import { durableApiPrefix, managementPayload } from "./client-binding.js";
import type { ClientFaults } from "./client-faults.js";
import type { DurableEngine } from "./engine.js";
import { DurableErrorCode, DurableRequestError } from "./errors.js";
import { isTerminal, RuntimeStatus, type InstanceState } from "./instance-state.js";
import { statusBody } from "./status-view.js";

export interface ClientApiOptions {
  engine: DurableEngine;
  taskHub: string;
  /** devhost's key: the management URLs it answers with carry it, as the real host's do. */
  key: string;
  /** The public origin for management URLs. */
  baseUrl: () => string;
  /** Injected refusals (devhost/durable/client-faults.ts). @default none */
  faults?: ClientFaults;
}

/**
 * The Durable extension's HTTP API, mounted at `/runtime/webhooks/durabletask`:
 * the endpoints `durable-functions`' client calls through `rpcBaseUrl`
 * (start, status, list, raise event, terminate, suspend, resume, purge) and the
 * management URLs of `createCheckStatusResponse`, which are the same paths.
 */
export function durableClientApi(options: ClientApiOptions) {
  const { engine } = options;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    const url = new URL(req.url ?? "/", "http://devhost");
    const segments = pathSegments(url.pathname.slice(durableApiPrefix.length));
    const method = (req.method ?? "GET").toUpperCase();
    const query = url.searchParams;
    const text = body.length > 0 ? body.toString("utf8") : undefined;
    try {
      if (!segments) throw new DurableRequestError(DurableErrorCode.invalidRequest, "Malformed path");
      const [collection, id, action, name] = segments;
      if (collection === "orchestrators" && method === "POST" && id && !name) {
        // orchestrators/{functionName}[/{instanceId}]
        const state = await engine.startNew(id, { ...(action ? { instanceId: action } : {}), ...(text !== undefined ? { input: text } : {}) });
        const payload = managementPayload(options.baseUrl(), options.taskHub, state.instanceId, options.key);
        sendJson(res, 202, payload, { location: payload.statusQueryGetUri! });
        return;
      }
      if (collection !== "instances") {
        if (collection === "entities") throw new DurableRequestError(DurableErrorCode.notSupported, "devhost does not emulate durable entities");
        throw new DurableRequestError(DurableErrorCode.instanceNotFound, `Unknown Durable API path ${url.pathname}`);
      }
      if (!id) return await collectionRequest(method, query, res);
      if (!action) return await instanceRequest(method, id, query, req, res);
      if (method !== "POST") throw new DurableRequestError(DurableErrorCode.invalidRequest, `${method} is not supported on ${action}`);
      const reason = query.get("reason") ?? undefined;
      const fault = action === "raiseEvent" ? options.faults?.take("raiseEvent", id, name) : undefined;
      if (fault) return sendProblem(res, fault.status, "injected_fault", `Injected fault: raiseEvent ${name} to ${id} refused`);
      if (action === "raiseEvent" && name) await engine.raiseEvent(id, name, text);
      else if (action === "terminate") await engine.terminate(id, reason);
      else if (action === "suspend") await engine.suspend(id, reason);
      else if (action === "resume") await engine.resume(id, reason);
      else if (action === "rewind") throw new DurableRequestError(DurableErrorCode.notSupported, "devhost does not support rewind");
      else throw new DurableRequestError(DurableErrorCode.instanceNotFound, `Unknown instance operation "${action}"`);
      res.writeHead(202).end();
    } catch (error) {
      if (error instanceof DurableRequestError) sendProblem(res, error.httpStatus, error.code, error.message);
      else throw error;
    }
  };

  async function instanceRequest(method: string, id: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse) {
    if (method === "DELETE") {
      const deleted = await engine.purge(id);
      if (!deleted) throw new DurableRequestError(DurableErrorCode.instanceNotFound, `No instance with ID '${id}' found.`);
      sendJson(res, 200, { instancesDeleted: 1 });
      return;
    }
    if (method !== "GET") throw new DurableRequestError(DurableErrorCode.invalidRequest, `${method} is not supported on an instance`);
    const state = await engine.getState(id);
    if (!state) throw new DurableRequestError(DurableErrorCode.instanceNotFound, `No instance with ID '${id}' found.`);
    const showHistory = query.get("showHistory") === "true";
    const history = showHistory ? await engine.getHistory(id) : undefined;
    const body = statusBody(state, history, {
      showHistory,
      showHistoryOutput: query.get("showHistoryOutput") === "true",
      showInput: query.get("showInput") !== "false",
    });
    const running = !isTerminal(state.runtimeStatus);
    const location = `${options.baseUrl()}${req.url ?? ""}`;
    sendJson(res, running ? 202 : 200, body, running ? { location, "retry-after": "1" } : {});
  }

  async function collectionRequest(method: string, query: URLSearchParams, res: ServerResponse) {
    const statuses = query.get("runtimeStatus")?.split(",").filter(Boolean) as RuntimeStatus[] | undefined;
    const from = dateParam(query, "createdTimeFrom");
    const to = dateParam(query, "createdTimeTo");
    const prefix = query.get("instanceIdPrefix") ?? "";
    const inRange = (s: InstanceState) =>
      (!from || Date.parse(s.createdTime) >= from) && (!to || Date.parse(s.createdTime) <= to) && s.instanceId.startsWith(prefix);
    const states = (await engine.list(statuses)).filter(inRange);
    if (method === "GET") {
      const top = Number(query.get("top") ?? "0");
      const page = top > 0 ? states.slice(0, top) : states;
      sendJson(
        res,
        200,
        page.map((s) => statusBody(s, undefined, { showInput: query.get("showInput") !== "false" })),
      );
      return;
    }
    if (method === "DELETE") {
      let deleted = 0;
      for (const state of states.filter((s) => isTerminal(s.runtimeStatus))) if (await engine.purge(state.instanceId)) deleted++;
      sendJson(res, 200, { instancesDeleted: deleted });
      return;
    }
    throw new DurableRequestError(DurableErrorCode.invalidRequest, `${method} is not supported on instances`);
  }
}

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (!raw) return undefined;
  const value = Date.parse(raw);
  if (Number.isNaN(value)) throw new DurableRequestError(DurableErrorCode.invalidRequest, `${name} is not a date`);
  return value;
}
