#!/usr/bin/env node
// Smoke test against a deployed Lucius API: liveness, submit one command, read the job back.
//
//   node scripts/smoke-test.mjs <base-url>        (or LUCIUS_API_URL=<base-url>)
//
// Credentials: LUCIUS_API_KEY is sent as x-api-key (a key from LUCIUS_API_KEYS whose tenants include
// "smoke-test"), or LUCIUS_BEARER_TOKEN as an Entra ID bearer token (App Service authentication);
// every route but /health answers 401 without one.
// AZURE_STORAGE_BLOB_ENDPOINT (required) is the app's Blob endpoint: the command's refs lie in
// tenant "smoke-test"'s places there. LUCIUS_SMOKE_TIMEOUT_SECONDS bounds the wait for a freshly deployed app (default 300).
// Exits 0 when every check passes, 1 with the failing check's message otherwise.

const baseUrl = (process.argv[2] ?? process.env.LUCIUS_API_URL ?? "").replace(/\/+$/, "");
const timeoutSeconds = Number(process.env.LUCIUS_SMOKE_TIMEOUT_SECONDS ?? "300");

class SmokeFailure extends Error {}

function headers(extra = {}) {
  const result = { accept: "application/json", ...extra };
  if (process.env.LUCIUS_API_KEY) result["x-api-key"] = process.env.LUCIUS_API_KEY;
  if (process.env.LUCIUS_BEARER_TOKEN) result.authorization = `Bearer ${process.env.LUCIUS_BEARER_TOKEN}`;
  return result;
}

async function call(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

function expect(condition, message) {
  if (!condition) throw new SmokeFailure(message);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A cold Flex Consumption app can answer 404/5xx for a few minutes after deployment. */
async function waitForHealth() {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const health = await call("GET", "/health");
      if (health.status === 200) return;
      last = `HTTP ${health.status} ${health.text.slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(10_000);
  }
  throw new SmokeFailure(`GET /health did not answer 200 within ${timeoutSeconds}s (last: ${last})`);
}

async function main() {
  expect(/^https?:\/\//.test(baseUrl), "usage: node scripts/smoke-test.mjs <base-url> (or set LUCIUS_API_URL)");
  console.log(`smoke test against ${baseUrl}`);

  await waitForHealth();
  console.log("ok   GET /health → 200");

  const runId = `smoke-${Date.now().toString(36)}`;
  // Refs must lie in the tenant's places in the app's storage account (intake refuses others);
  // the input need not exist: the smoke test checks intake and the ledger, not the workers.
  const blobEndpoint = process.env.AZURE_STORAGE_BLOB_ENDPOINT?.replace(/\/+$/, "");
  expect(/^https?:\/\//.test(blobEndpoint ?? ""), "set AZURE_STORAGE_BLOB_ENDPOINT (azd env get-value AZURE_STORAGE_BLOB_ENDPOINT)");
  const command = {
    tenant_id: "smoke-test",
    request_type: "OCR",
    input_ref: `${blobEndpoint}/inputs/smoke-test/${runId}/input.png`,
    output_ref: `${blobEndpoint}/outputs/smoke-test/${runId}/output.json`,
    payload: {},
    schema_version: "v1",
    idempotency_key: runId,
  };
  const submitted = await call("POST", "/v1/commands", command);
  expect(submitted.status === 202 || submitted.status === 200, `POST /v1/commands → HTTP ${submitted.status}, expected 202: ${submitted.text.slice(0, 500)}`);
  const jobId = submitted.json?.job_id;
  expect(typeof jobId === "string" && jobId !== "", `POST /v1/commands answered without a job_id: ${submitted.text.slice(0, 500)}`);
  console.log(`ok   POST /v1/commands → ${submitted.status}, job ${jobId}`);

  const read = await call("GET", `/v1/jobs/${encodeURIComponent(jobId)}`);
  expect(read.status === 200, `GET /v1/jobs/${jobId} → HTTP ${read.status}: ${read.text.slice(0, 500)}`);
  expect(read.json?.job_id === jobId, `GET /v1/jobs/${jobId} returned another job: ${read.text.slice(0, 500)}`);
  expect(read.json?.tenant_id === undefined || read.json.tenant_id === command.tenant_id, "the job read back has another tenant_id");
  console.log(`ok   GET /v1/jobs/${jobId} → 200, state ${read.json?.state ?? read.json?.status ?? "?"}`);

  const replay = await call("POST", "/v1/commands", command);
  expect(replay.status === 200 && replay.json?.job_id === jobId, `idempotent replay → HTTP ${replay.status}, expected 200 with the same job`);
  console.log("ok   idempotent replay → 200, same job");
  console.log("smoke test passed");
}

main().catch((error) => {
  console.error(`FAIL ${error instanceof SmokeFailure ? error.message : (error?.stack ?? error)}`);
  process.exit(1);
});
