// GET /v1/jobs/{job_id}/outputs under devhost: what the steps wrote, read from the blobs their
// output_refs name, through a store scoped to the job's tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { RefStore } from "../../lib/refs/index.js";
import { sleep, startLucius, type LuciusUnderTest } from "../support/lucius-devhost.js";

let lucius: LuciusUnderTest;
beforeAll(async () => {
  lucius = await startLucius();
}, 90_000);
afterAll(() => lucius?.stop());

async function eventually<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition never held");
    await sleep(50);
  }
}

const outputs = (jobId: string, headers: Record<string, string> = { "x-api-key": lucius.apiKey }) =>
  fetch(`${lucius.url}/v1/jobs/${encodeURIComponent(jobId)}/outputs`, { headers });

describe("GET /v1/jobs/{job_id}/outputs", () => {
  it("reads the OCR text a step's output_ref names, and nothing for steps that wrote nothing", async () => {
    const refs = new RefStore({ blobs: BlobServiceClient.fromConnectionString(lucius.host.connectionString) });
    const { job_id } = await lucius.submit("OCR->EMBEDDING", { ocr: [{ do: "hold" }] });
    const ocrDirective = await eventually(() => lucius.received(job_id).find((d) => d.step_id === "ocr" && d.type !== "CANCEL"));
    // The scripted worker's RESULT names `<directive output_ref>result-ocr-1.json`: the OCR worker's JSON goes there.
    const ocrUri = `${ocrDirective.output_ref as string}result-ocr-1.json`;
    const text = "INVOICE No. 7\n\nTotal due: $12.00\n";
    await refs.write(ocrUri, JSON.stringify({ text }), "application/json");
    // Held once its ACK is in the ledger (the worker registers the hold as soon as it sent the ACK).
    await lucius.waitFor(job_id, (job) => job.steps?.[0]?.state === "ACKED", "held in OCR", 60_000);
    lucius.release(job_id, "ocr", 1);
    await lucius.waitFor(job_id, (job) => job.state === "SUCCEEDED", "SUCCEEDED", 60_000);

    const response = await outputs(job_id);
    expect(response.status).toBe(200);
    // The embedding step's scripted RESULT names a blob nobody wrote: there is nothing to show for it.
    expect(await response.json()).toEqual({ job_id, state: "SUCCEEDED", outputs: { ocr: { uri: ocrUri, text, lines: 2 } } });
  }, 90_000);

  it("answers 404 for an unknown job and 401 without a credential", async () => {
    const missing = await outputs("no-such-job");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    expect((await outputs("no-such-job", {})).status).toBe(401);
  });
});
