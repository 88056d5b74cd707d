/**
 * Fault injection for the emulator's send route: the next `count` sends to a
 * topic are refused with `status` (429 or 503, as a throttled or unavailable
 * namespace would answer), so tests and demos can watch the app back off and
 * retry without losing a message.
 */
export interface SendFault {
  topic: string;
  /** 429 (throttled) or 503 (unavailable). */
  status: 429 | 503;
  /** Sends still to refuse. */
  count: number;
}

export class SendFaults {
  private readonly faults = new Map<string, SendFault>();

  set(fault: SendFault): void {
    if (fault.count <= 0) this.faults.delete(fault.topic);
    else this.faults.set(fault.topic, { ...fault });
  }

  /** Consumes one refusal for `topic`, if any is armed. */
  take(topic: string): SendFault | undefined {
    const fault = this.faults.get(topic);
    if (!fault) return undefined;
    if (--fault.count <= 0) this.faults.delete(topic);
    return fault;
  }

  list(): SendFault[] {
    return [...this.faults.values()].map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults.clear();
  }

  /** Reads a fault from an admin request body; throws a message naming what is wrong. */
  static parse(raw: unknown): SendFault {
    const body = raw as Partial<SendFault> | null;
    if (typeof body !== "object" || body === null) throw new Error("the body must be { topic, status, count }");
    if (typeof body.topic !== "string" || body.topic === "") throw new Error("topic must be a topic name");
    if (body.status !== 429 && body.status !== 503) throw new Error("status must be 429 or 503");
    if (!Number.isInteger(body.count) || (body.count as number) < 0) throw new Error("count must be a non-negative integer");
    return { topic: body.topic, status: body.status, count: body.count as number };
  }
}
