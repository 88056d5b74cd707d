import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, sendProblem } from "../http/problem.js";
import { readBody } from "../http/server.js";

/** Where the Durable client fault admin route is mounted. */
export const durableFaultsPath = "/_devhost/durable/faults";

/** The client operations a fault can be armed for. */
export const FaultedOperation = { raiseEvent: "raiseEvent" } as const;
export type FaultedOperation = (typeof FaultedOperation)[keyof typeof FaultedOperation];

const faultStatuses = [404, 410, 500, 503] as const;

/**
 * The next `count` calls of `operation` (for one instance and event name, or
 * any when left out) are answered with `status` instead of being carried out:
 * 500/503 as a failing or unreachable extension, 404/410 as an unknown or
 * finished instance.
 */
export interface ClientFault {
  operation: FaultedOperation;
  instanceId?: string;
  eventName?: string;
  status: (typeof faultStatuses)[number];
  count: number;
}

export class ClientFaults {
  private faults: ClientFault[] = [];

  set(fault: ClientFault): void {
    this.faults = this.faults.filter((f) => !(f.operation === fault.operation && f.instanceId === fault.instanceId && f.eventName === fault.eventName));
    if (fault.count > 0) this.faults.push({ ...fault });
  }

  /** Consumes one refusal for this call, if any armed fault matches it. */
  take(operation: FaultedOperation, instanceId: string, eventName?: string): ClientFault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.operation === operation && (f.instanceId === undefined || f.instanceId === instanceId) && (f.eventName === undefined || f.eventName === eventName),
    );
    if (!fault) return undefined;
    if (--fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  list(): ClientFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** Reads a fault from an admin request body; throws a message naming what is wrong. */
  static parse(raw: unknown): ClientFault {
    const body = raw as Partial<ClientFault> | null;
    if (typeof body !== "object" || body === null) throw new Error("the body must be { operation, instanceId?, eventName?, status, count }");
    if (!Object.values(FaultedOperation).includes(body.operation as FaultedOperation))
      throw new Error(`operation must be one of ${Object.values(FaultedOperation).join(", ")}`);
    for (const key of ["instanceId", "eventName"] as const) {
      if (body[key] !== undefined && (typeof body[key] !== "string" || body[key] === "")) throw new Error(`${key} must be a non-empty string when given`);
    }
    if (!faultStatuses.includes(body.status as ClientFault["status"])) throw new Error(`status must be one of ${faultStatuses.join(", ")}`);
    if (!Number.isInteger(body.count) || (body.count as number) < 0) throw new Error("count must be a non-negative integer");
    return {
      operation: body.operation as FaultedOperation,
      ...(body.instanceId !== undefined ? { instanceId: body.instanceId } : {}),
      ...(body.eventName !== undefined ? { eventName: body.eventName } : {}),
      status: body.status as ClientFault["status"],
      count: body.count as number,
    };
  }
}

/** `GET` lists, `POST` arms (count 0 disarms), `DELETE` clears the faults. */
export function clientFaultsRoute(faults: ClientFaults) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    if (method === "POST") {
      const body = await readBody(req);
      try {
        faults.set(ClientFaults.parse(JSON.parse(body?.toString("utf8") ?? "null")));
      } catch (error) {
        return sendProblem(res, 400, "bad_fault", (error as Error).message);
      }
    } else if (method === "DELETE") faults.clear();
    else if (method !== "GET") return sendProblem(res, 405, "method_not_allowed", `${method} is not allowed; use GET, POST or DELETE`);
    sendJson(res, 200, { faults: faults.list() });
  };
}
