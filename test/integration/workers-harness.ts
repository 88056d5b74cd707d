// Shared set-up for the workers' integration tests: devhost with the three worker functions
// (loaded from source, as the Functions host would load their compiled files), the Service Bus
// emulator on the run's Azurite, an observer subscription on `replies`, and blob helpers.
import { randomBytes, randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { BlobServiceClient } from "@azure/storage-blob";
import { startDevHost, type DevHost } from "../../devhost/host.js";
import { defaultTopology, serviceBusComponent, type ServiceBusEmulator, type ServiceBusHostComponent } from "../../devhost/servicebus/index.js";
import { directiveMessage } from "../../lib/bus/index.js";
import { TopicNames } from "../../lib/config/names.js";
import type { Directive, DirectiveMessage, Ref, Reply } from "../../lib/contracts/index.js";
import { azuriteConnectionString } from "../support/storage.js";

export const workerSourceFiles = ["ocr", "embedding", "sis"].map((name) => fileURLToPath(new URL(`../../workers/functions/${name}.ts`, import.meta.url)));

/** The step type of the runtime tests' own subscription on `directives`. */
export const testStepType = "TEST";

/** The tenant of every directive here; its places are `inputs/tenant-w/`, `outputs/tenant-w/`, `workspaces/tenant-w/<job>/`. */
export const workersTenant = "tenant-w";

export interface WorkersHost {
  host: DevHost;
  emulator: ServiceBusEmulator;
  blobs: BlobServiceClient;
  /** Base URI of the storage account's blobs. */
  accountUrl: string;
  replies: Reply[];
  /** Resolves with the first reply (seen or to come) that matches. */
  reply(match: (r: Reply) => boolean): Promise<Reply>;
  /** Resolves once every reply sent before this call has been observed. */
  drainReplies(): Promise<void>;
  directive(step: { step_type: string; step_id: string; input_ref: Ref; output_ref?: Ref; payload?: Record<string, unknown>; lease_ms?: number }): Directive;
  send(message: DirectiveMessage, messageId?: string): Promise<void>;
  /** Uploads into the tenant's inputs place. */
  upload(name: string, bytes: Buffer | string, contentType: string): Promise<string>;
  readBlob(uri: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startWorkersHost(env: Record<string, string> = {}): Promise<WorkersHost> {
  const topology = defaultTopology();
  const directives = topology.topics.find((t) => t.name === TopicNames.directives)!;
  directives.subscriptions.push({ name: "platform-test", filter: `step_type = '${testStepType}'` });
  // Duplicate detection off on replies, so a re-sent RESULT (same messageId) is observable here.
  topology.topics = topology.topics.map((t) =>
    t.name === TopicNames.replies ? { name: t.name, duplicateDetectionWindowMs: 0, subscriptions: [{ name: "observer" }] } : t,
  );
  const component: ServiceBusHostComponent = serviceBusComponent({ tablePrefix: `w${randomBytes(5).toString("hex")}`, topology });
  const host = await startDevHost({
    appFiles: workerSourceFiles,
    port: 0,
    azurite: { connectionString: azuriteConnectionString() },
    taskHub: `w${randomBytes(5).toString("hex")}`,
    components: [component],
    logLevel: "error",
    env,
  });
  const emulator = component.emulator;
  const replies: Reply[] = [];
  const seen = new EventEmitter();
  const observer = emulator.subscribe(TopicNames.replies, "observer", async (messages) => {
    for (const m of messages) {
      replies.push(m.body as Reply);
      seen.emit("reply");
    }
  });
  const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
  const accountUrl = blobs.url.replace(/\/+$/, "");

  const reply = (match: (r: Reply) => boolean) =>
    new Promise<Reply>((resolve) => {
      const check = () => {
        const found = replies.find(match);
        if (!found) return;
        seen.off("reply", check);
        resolve(found);
      };
      seen.on("reply", check);
      check();
    });

  return {
    host,
    emulator,
    blobs,
    accountUrl,
    replies,
    reply,
    async drainReplies() {
      const sentinel = randomUUID();
      await emulator.send(TopicNames.replies, [{ messageId: sentinel, body: { sentinel } }]);
      await reply((r) => (r as unknown as { sentinel?: string }).sentinel === sentinel);
    },
    directive({ step_type, step_id, input_ref, output_ref, payload = {}, lease_ms = 120_000 }) {
      const job_id = `job-${randomBytes(6).toString("hex")}`;
      const workspace = `${accountUrl}/workspaces/${workersTenant}/${job_id}/`;
      return {
        type: "DIRECTIVE",
        job_id,
        tenant_id: workersTenant,
        step_id,
        step_type,
        protocol_id: "workers-test.v1",
        attempt_no: 1,
        lease_id: randomUUID(),
        lease_expires_at: new Date(Date.now() + lease_ms).toISOString(),
        input_ref,
        workspace_ref: workspace,
        output_ref: output_ref ?? `${workspace}${step_id}/`,
        payload,
        mode: "DEFAULT",
        lane: 3,
        routing_key_used: workersTenant,
      };
    },
    async send(message, messageId) {
      const outbound = directiveMessage(message);
      await emulator.send(TopicNames.directives, [{ ...outbound, messageId: messageId ?? outbound.messageId }]);
    },
    async upload(name, bytes, contentType) {
      const blob = blobs.getContainerClient("inputs").getBlockBlobClient(`${workersTenant}/${name}`);
      await blob.uploadData(typeof bytes === "string" ? Buffer.from(bytes) : bytes, { blobHTTPHeaders: { blobContentType: contentType } });
      return blob.url;
    },
    async readBlob(uri) {
      const path = new URL(uri).pathname.slice(new URL(accountUrl).pathname.length + 1);
      const [container, ...name] = path.split("/");
      return blobs.getContainerClient(container!).getBlobClient(name.map(decodeURIComponent).join("/")).downloadToBuffer();
    },
    async stop() {
      await observer.close();
      await host.stop();
    },
  };
}

/** The replies of one attempt, in the order they were observed. */
export const repliesOf = (all: Reply[], d: Directive) => all.filter((r) => r.job_id === d.job_id && r.step_id === d.step_id && r.attempt_no === d.attempt_no);
export const resultOf = (d: Directive) => (r: Reply) => r.type === "RESULT" && r.job_id === d.job_id && r.step_id === d.step_id;
