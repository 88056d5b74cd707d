import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { defaultTopology, serviceBusComponent, type ServiceBusHostComponent } from "../../devhost/servicebus/index.js";
import { timerComponent } from "../../devhost/timer/index.js";
import { directiveMessage } from "../../lib/bus/index.js";
import { ContainerNames, TopicNames } from "../../lib/config/names.js";
import type { Directive, Reply, ResultReply } from "../../lib/contracts/index.js";
import { packageRoot } from "../../lib/paths.js";
import { workerEntryPaths } from "../../workers/entries.js";
import { apiKeysSetting, newTestKey } from "../support/auth.js";
import { sleep } from "../support/lucius-devhost.js";
import { azuriteConnectionString } from "../support/storage.js";

// Two tenants under devhost with the real app and the real workers. Tenant A runs a real job,
// so it owns an upload, workspace intermediates and outputs; tenant B, with a key for B only,
// then names A's blobs (and ways out of its own places) in every spelling. Each one must be
// refused at intake (422 with the pointer), or, sent straight to a worker, fail before any
// read or write; A's blobs must be byte-identical afterwards and no container may appear.
const tag = randomBytes(4).toString("hex");
const ta = `ta-${tag}`;
const tb = `tb-${tag}`;
const keyA = newTestKey("a", [ta]);
const keyB = newTestKey("b", [tb]);
let host: DevHost;
let bus: ServiceBusHostComponent;
let blobs: BlobServiceClient;
let account: string;
const replies: Reply[] = [];
/** A's job: its id, and its OCR step's text in A's workspace. */
let victim: { job_id: string; ocrText: string };

const api = async (key: string, method: string, path: string, body?: unknown) => {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const command = (tenant: string, input_ref: unknown, output_ref: unknown) => ({
  tenant_id: tenant,
  request_type: "OCR->EMBEDDING->SIS",
  input_ref,
  output_ref,
  payload: {},
  schema_version: "v1",
});
const place = (container: string, tenant: string, rest = "") => `${account}/${container}/${tenant}/${rest}`;

/** Every blob in `tenant`'s places: name → etag and SHA-256 of its bytes. */
async function snapshot(tenant: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const container of Object.values(ContainerNames)) {
    const client = blobs.getContainerClient(container);
    for await (const item of client.listBlobsFlat({ prefix: `${tenant}/` })) {
      const bytes = await client.getBlobClient(item.name).downloadToBuffer();
      out[`${container}/${item.name}`] = `${item.properties.etag} ${createHash("sha256").update(bytes).digest("hex")}`;
    }
  }
  return out;
}
const containers = async () => {
  const names: string[] = [];
  for await (const c of blobs.listContainers()) names.push(c.name);
  return names.sort();
};

beforeAll(async () => {
  const topology = defaultTopology();
  for (const topic of topology.topics) if (topic.name === TopicNames.replies) topic.subscriptions.push({ name: "observer" });
  bus = serviceBusComponent({ tablePrefix: `tr${tag}`, topology });
  host = await startDevHost({
    appFiles: [...packageMainFiles(packageRoot), ...workerEntryPaths(packageRoot)],
    port: 0,
    azurite: { connectionString: azuriteConnectionString() },
    taskHub: `tr${tag}`,
    components: [bus, timerComponent()],
    logLevel: "silent",
    env: {
      LUCIUS_TABLE_PREFIX: `tr${tag}`,
      LUCIUS_API_KEYS: apiKeysSetting([keyA, keyB]),
      LUCIUS_STEP_DEFAULTS: JSON.stringify({ ack_seconds: 10, lease_seconds: 60, max_attempts: 1, backoff_seconds: [0.2] }),
      LUCIUS_RECONCILE_SCHEDULE: "0 0 0 1 1 *",
    },
  });
  bus.emulator.subscribe(TopicNames.replies, "observer", async (messages) => void replies.push(...messages.map((m) => m.body as Reply)));
  blobs = BlobServiceClient.fromConnectionString(host.connectionString);
  account = blobs.url.replace(/\/+$/, "");
  const invoice = blobs.getContainerClient(ContainerNames.inputs).getBlockBlobClient(`${ta}/invoice.png`);
  await invoice.uploadData(readFileSync(join(packageRoot, "test/fixtures/documents/sample-invoice.png")), {
    blobHTTPHeaders: { blobContentType: "image/png" },
  });
  await blobs.getContainerClient(ContainerNames.inputs).getBlockBlobClient(`${tb}/own.txt`).uploadData(Buffer.from("tenant B's own text"));
  const created = await api(keyA.key, "POST", "/v1/commands", command(ta, place("inputs", ta, "invoice.png"), place("outputs", ta, "run/")));
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  for (;;) {
    const { body } = await api(keyA.key, "GET", `/v1/jobs/${created.body.job_id}`);
    if (body.state === "SUCCEEDED") {
      victim = { job_id: body.job_id, ocrText: body.steps[0].output_ref };
      break;
    }
    if (["FAILED", "CANCELLED"].includes(body.state)) throw new Error(`tenant A's job ended ${body.state}: ${JSON.stringify(body.error)}`);
    await sleep(100);
  }
}, 120_000);
afterAll(() => host?.stop());

describe("refs belong to their tenant", () => {
  it("A's job wrote only inside A's places", async () => {
    const names = Object.keys(await snapshot(ta));
    expect(names).toContain(`inputs/${ta}/invoice.png`);
    expect(names).toContain(`outputs/${ta}/run/analysis.json`);
    expect(names.some((n) => n.startsWith(`workspaces/${ta}/${victim.job_id}/ocr/`))).toBe(true);
    expect(victim.ocrText.startsWith(place("workspaces", ta, `${victim.job_id}/ocr/`))).toBe(true);
  });

  it("refuses every ref that leaves B's places at intake: 422, the pointer, no job, nothing written", async () => {
    const before = { a: await snapshot(ta), b: await snapshot(tb), containers: await containers() };
    const own = { in: place("inputs", tb, "own.txt"), out: place("outputs", tb, "x/") };
    const attacks: Array<[string, unknown, unknown, string]> = [
      ["A's upload", place("inputs", ta, "invoice.png"), own.out, "/input_ref"],
      ["A's upload folder", { uri: place("inputs", ta) }, own.out, "/input_ref/uri"],
      ["A's workspace text", { uri: victim.ocrText, content_type: "text/plain" }, own.out, "/input_ref/uri"],
      ["A's output", place("outputs", ta, "run/analysis.json"), own.out, "/input_ref"],
      ["A's output folder as output", own.in, place("outputs", ta, "run/"), "/output_ref"],
      ["A's analysis.json as output", own.in, { uri: place("outputs", ta, "run/analysis.json") }, "/output_ref/uri"],
      ["A's workspace as output", own.in, place("workspaces", ta, `${victim.job_id}/ocr/`), "/output_ref"],
      ["B's own workspace as output", own.in, place("workspaces", tb, "job/"), "/output_ref"],
      ["encoded separators into A's workspace", own.in, place("workspaces", tb, `..%2F..%2F${ta}%2F${victim.job_id}/ocr/`), "/output_ref"],
      ["encoded separators out of B's inputs", `${account}/inputs/${tb}%2F..%2F${ta}/invoice.png`, own.out, "/input_ref"],
      ["encoded backslashes", place("inputs", tb, `..%5C..%5C${ta}%5Cinvoice.png`), own.out, "/input_ref"],
      ["dot segments", `${account}/inputs/${tb}/../${ta}/invoice.png`, own.out, "/input_ref"],
      ["encoded dot segments", own.in, `${account}/outputs/${tb}/%2e%2e/${ta}/run/`, "/output_ref"],
      ["a backslash", `${account}/inputs/${tb}\\..\\${ta}\\invoice.png`, own.out, "/input_ref"],
      ["a new container", own.in, `${account}/fresh-${tag}/${tb}/out/`, "/output_ref"],
      ["the account root", own.in, `${account}/`, "/output_ref"],
      ["an input off B's allowlist", "https://documents.example.com/a.png", own.out, "/input_ref"],
    ];
    for (const [label, input, output, pointer] of attacks) {
      const answer = await api(keyB.key, "POST", "/v1/commands", command(tb, input, output));
      expect({ label, status: answer.status, type: answer.type }).toEqual({ label, status: 422, type: "application/problem+json" });
      expect(
        answer.body.errors.map((e: { pointer: string }) => e.pointer),
        label,
      ).toEqual([pointer]);
    }
    expect((await api(keyB.key, "GET", `/v1/jobs?tenant_id=${tb}`)).body.jobs).toEqual([]);
    expect(await snapshot(ta)).toEqual(before.a);
    expect(await snapshot(tb)).toEqual(before.b);
    expect(await containers()).toEqual(before.containers);
  });

  it("makes a worker given such refs directly fail NON_RETRYABLE before reading or writing anything", async () => {
    const before = { a: await snapshot(ta), b: await snapshot(tb), containers: await containers() };
    const job_id = `forged-${tag}`;
    const workspace = place("workspaces", tb, `${job_id}/`);
    const cases: Array<[string, Partial<Directive>, string]> = [
      ["A's upload as input", { input_ref: place("inputs", ta, "invoice.png") }, "REF_OUTSIDE_TENANT"],
      ["A's workspace text as input", { input_ref: victim.ocrText }, "REF_OUTSIDE_TENANT"],
      ["A's output folder as output", { output_ref: place("outputs", ta, "run/") }, "REF_OUTSIDE_TENANT"],
      ["A's workspace as the workspace", { workspace_ref: place("workspaces", ta, `${victim.job_id}/`) }, "REF_OUTSIDE_TENANT"],
      ["another job's workspace as output", { output_ref: place("workspaces", tb, "other-job/ocr/") }, "REF_OUTSIDE_TENANT"],
      ["encoded separators", { output_ref: `${workspace}..%2F..%2F..%2F${ta}%2F${victim.job_id}/ocr/` }, "INVALID_REF"],
      ["dot segments", { input_ref: `${account}/inputs/${tb}/../${ta}/invoice.png` }, "INVALID_REF"],
      ["a new container", { output_ref: `${account}/fresh-${tag}/${tb}/` }, "REF_OUTSIDE_TENANT"],
    ];
    for (const [n, [label, refs, code]] of cases.entries()) {
      const directive: Directive = {
        type: "DIRECTIVE",
        job_id,
        tenant_id: tb,
        step_id: `ocr${n}`,
        step_type: "OCR",
        protocol_id: "atomic-ocr.v1",
        attempt_no: 1,
        lease_id: randomUUID(),
        lease_expires_at: new Date(Date.now() + 60_000).toISOString(),
        input_ref: place("inputs", tb, "own.txt"),
        workspace_ref: workspace,
        output_ref: `${workspace}ocr${n}/`,
        payload: {},
        mode: "DEFAULT",
        lane: 0,
        routing_key_used: tb,
        ...refs,
      };
      await bus.emulator.send(TopicNames.directives, [directiveMessage(directive)]);
      let result: ResultReply | undefined;
      while (!(result = replies.find((r): r is ResultReply => r.type === "RESULT" && r.job_id === job_id && r.step_id === directive.step_id))) await sleep(50);
      expect({ label, status: result.status, failure_class: result.failure_class, code: result.error?.code }).toEqual({
        label,
        status: "FAILED",
        failure_class: "NON_RETRYABLE",
        code,
      });
    }
    expect(await snapshot(ta)).toEqual(before.a);
    // Nothing at all for the forged job either, not even a RESULT marker outside its own workspace.
    expect(Object.keys(await snapshot(tb)).filter((name) => !name.startsWith(`workspaces/${tb}/${job_id}/_lucius/`))).toEqual(Object.keys(before.b));
    expect(await containers()).toEqual(before.containers);
  }, 60_000);
});
