import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 60_000);
afterAll(() => lucius?.stop());

async function armFault(topic: string, status: 429 | 503, count: number) {
  const response = await fetch(`${lucius.url}/_devhost/servicebus/faults`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-functions-key": lucius.host.key },
    body: JSON.stringify({ topic, status, count }),
  });
  expect(response.status).toBe(200);
}

describe("a bus that throttles or refuses publishes", () => {
  it.each([429, 503] as const)("is waited out: the directive goes through once the bus answers again (HTTP %i)", async (status) => {
    await armFault("directives", status, 3);
    const { job_id } = await lucius.submit("OCR->EMBEDDING");
    const job = await lucius.waitFor(job_id, terminal, "terminal");
    expect(job.state).toBe("SUCCEEDED");
    expect(job.steps.map((s: { attempt_no: number }) => s.attempt_no)).toEqual([1, 1]);
    const directives = lucius.received(job_id).filter((d) => d.type === "DIRECTIVE");
    expect(directives.map((d) => d.step_id)).toEqual(["ocr", "embedding"]);
    const faults = (await (await fetch(`${lucius.url}/_devhost/servicebus/faults`, { headers: { "x-functions-key": lucius.host.key } })).json()) as { faults: unknown[] };
    expect(faults.faults).toEqual([]);
  });
});
