import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLucius, terminal, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { ProblemType } from "../../lib/http/problem.js";
import { blobAccountUrl, tenantInput, tenantOutput } from "../support/tenant-refs.js";

const limit = 5;
let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius({
    env: { LUCIUS_TENANT_INFLIGHT_LIMIT: String(limit), LUCIUS_TENANT_INFLIGHT_OVERRIDES: JSON.stringify({ "roomy-tenant": 50 }) },
  });
}, 60_000);
afterAll(() => lucius?.stop());

const command = (tenant: string, n: number) => ({
  tenant_id: tenant,
  request_type: "OCR",
  input_ref: tenantInput(blobAccountUrl(lucius.host.connectionString), tenant, `${n}.png`),
  output_ref: tenantOutput(blobAccountUrl(lucius.host.connectionString), tenant, ""),
  payload: {},
  schema_version: "v1",
  idempotency_key: `${tenant}-${n}`,
});

describe("per-tenant in-flight limits", () => {
  it("admits exactly the limit of 3× concurrent submissions, refuses the rest with 429 + Retry-After, and frees every place at the end", async () => {
    const busy = "busy-tenant";
    const calm = "calm-tenant";
    lucius.worker.scripts.set(busy, { ocr: [{ do: "hold", interval_ms: 300 }] });
    const answers = await Promise.all(Array.from({ length: 3 * limit }, (_, n) => lucius.post(command(busy, n))));
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted).toHaveLength(limit);
    expect(refused).toHaveLength(2 * limit);
    for (const answer of refused) {
      expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(answer.body).toMatchObject({ type: ProblemType.tooManyRequests, status: 429, scope: "tenant", limit });
    }
    const ledger = await lucius.ledger();
    expect(await ledger.readInFlight(busy)).toBe(limit);

    // Another tenant is not held back by the busy one.
    const other = await lucius.submit("OCR", {}, { tenant: calm });
    expect((await lucius.waitFor(other.job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
    // A replay of an admitted job is answered even at the limit.
    const replay = await lucius.post(command(busy, Number(answers.indexOf(accepted[0]!))));
    expect(replay.status).toBe(200);

    for (const answer of accepted) {
      await lucius.waitFor(answer.body.job_id, (job) => job.steps[0].state === "ACKED", "ocr ACKED");
      lucius.release(answer.body.job_id, "ocr", 1);
    }
    for (const answer of accepted) expect((await lucius.waitFor(answer.body.job_id, terminal, "terminal")).state).toBe("SUCCEEDED");
    expect(await ledger.readInFlight(busy)).toBe(0);
    expect(await ledger.readInFlight(calm)).toBe(0);
    expect(await ledger.readInFlight()).toBe(0);

    // With places free again, the tenant is admitted.
    expect((await lucius.post(command(busy, 100))).status).toBe(202);
  });

  it("honours a per-tenant override", async () => {
    lucius.worker.scripts.set("roomy-tenant", { ocr: [{ do: "no-ack" }] });
    const answers = await Promise.all(Array.from({ length: limit + 3 }, (_, n) => lucius.post(command("roomy-tenant", n))));
    expect(answers.every((a) => a.status === 202)).toBe(true);
  });
});
