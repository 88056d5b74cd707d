import { describe, expect, it } from "vitest";
import { buildOpenApi } from "../../lib/api/openapi.js";
import { jobLinks } from "../../lib/api/views.js";
import { loadContracts } from "../../lib/contracts/index.js";
import { OpenApiChecker } from "../support/openapi-check.js";

const checker = new OpenApiChecker(buildOpenApi(loadContracts(), { version: "0.0.0", serverUrl: "http://localhost:7071" }) as never);
const at = "2026-03-03T10:00:00.000Z";
const job = {
  job_id: "j1",
  tenant_id: "t",
  request_type: "OCR",
  protocol_id: "ocr.v1",
  state: "RUNNING",
  mode: "DEFAULT",
  input_ref: "https://example.com/in/a.png",
  output_ref: "https://example.com/out/a/",
  payload: {},
  step_count: 1,
  created_at: at,
  updated_at: at,
  redrive_count: 0,
  links: jobLinks("j1"),
  steps: [
    { job_id: "j1", step_id: "ocr", index: 0, step_type: "OCR", service: "platform-ocr", state: "DISPATCHED", attempt_no: 1, created_at: at, updated_at: at },
  ],
};
const answer = (status: number, body: unknown, url = "/v1/jobs/j1", contentType = "application/json") => ({
  method: "GET",
  url,
  status,
  contentType: `${contentType}; charset=utf-8`,
  text: JSON.stringify(body),
});

describe("the OpenAPI answer checker", () => {
  it("passes a job view and a problem document the document describes", () => {
    expect(checker.problems(answer(200, job))).toEqual([]);
    expect(
      checker.problems(
        answer(404, { type: "urn:lucius:problem:not-found", title: "Not found", status: 404, detail: "No job j1" }, "/v1/jobs/j1", "application/problem+json"),
      ),
    ).toEqual([]);
  });

  it("fails a ledger field in a view, a missing field, an undocumented status and a wrong content type", () => {
    expect(checker.problems(answer(200, { ...job, etag: 'W/"1"' }))).toEqual([
      'GET /v1/jobs/j1 → 200: body must NOT have additional properties {"additionalProperty":"etag"}',
    ]);
    const { links: _links, ...noLinks } = job;
    expect(checker.problems(answer(200, noLinks))[0]).toMatch(/must have required property 'links'/);
    expect(checker.problems(answer(418, {}))).toEqual(["GET /v1/jobs/j1 → 418: status 418 is not documented for GET /v1/jobs/{job_id}"]);
    expect(checker.problems(answer(404, {}, "/v1/jobs/j1", "text/plain"))[0]).toMatch(/content type 'text\/plain'/);
  });

  it("holds a method a route does not serve to the host's problem document, and leaves other paths alone", () => {
    expect(
      checker.problems({
        ...answer(
          405,
          { type: "urn:lucius:problem:method-not-allowed", title: "Method not allowed", status: 405, detail: "x" },
          "/v1/jobs/j1",
          "application/problem+json",
        ),
        method: "DELETE",
      }),
    ).toEqual([]);
    expect(checker.problems({ ...answer(200, {}), method: "DELETE" })).toEqual(["DELETE /v1/jobs/j1 → 200: DELETE is not documented for /v1/jobs/{job_id}"]);
    expect(checker.problems(answer(200, "anything", "/_devhost/servicebus/topics/x"))).toEqual([]);
  });
});
