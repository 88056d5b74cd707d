import { randomBytes } from "node:crypto";
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, it } from "vitest";
import { RefStore } from "../../lib/refs/index.js";
import { writeBlocks } from "../../lib/refs/block-writer.js";
import { azuriteConnectionString } from "../support/storage.js";

const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
const refs = new RefStore({ blobs });
const container = `stream${randomBytes(4).toString("hex")}`;
const uri = (name: string) => `${blobs.url.replace(/\/+$/, "")}/${container}/${name}`;

async function* pieces(count: number, size: number, failAt?: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error(`producer failed at piece ${i}`);
    yield `${String(i).padStart(6, "0")}${"x".repeat(size - 7)}\n`;
  }
}

describe("writing a blob as it is produced", () => {
  // The store never creates containers: setup does, once.
  beforeAll(async () => {
    await blobs.getContainerClient(container).create();
  });

  it("stages blocks while the producer runs and commits them in order (EMBEDDING's output path)", async () => {
    const written = await refs.write(uri("big.jsonl"), pieces(10, 1024 * 1024), "application/x-ndjson");
    const blob = blobs.getContainerClient(container).getBlockBlobClient("big.jsonl");
    // 10 MiB in 4 MiB blocks: the body was never one buffer handed over at the end.
    expect((await blob.getBlockList("committed")).committedBlocks?.length).toBe(3);
    const text = (await blob.downloadToBuffer()).toString();
    expect(
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => Number(line.slice(0, 6))),
    ).toEqual([...Array(10).keys()]);
    expect((await blob.getProperties()).contentType).toBe("application/x-ndjson");
    expect(written).toBe(uri("big.jsonl"));
  });

  it("stages a block each time the pending bytes reach the block size", async () => {
    const staged: number[] = [];
    const blob = blobs.getContainerClient(container).getBlockBlobClient("counted.txt");
    const spy = Object.assign(Object.create(blob) as typeof blob, {
      stageBlock: (id: string, body: Buffer, length: number, options?: object) => {
        staged.push(length);
        return blob.stageBlock(id, body, length, options);
      },
    });
    await writeBlocks(spy, pieces(5, 100), { contentType: "text/plain", blockBytes: 250 });
    expect(staged).toEqual([300, 200]);
  });

  it("passes a producer's own error on unchanged and leaves nothing under the name", async () => {
    const failure = await refs.write(uri("broken.jsonl"), pieces(10, 1024 * 1024, 6), "application/x-ndjson").catch((e: unknown) => e);
    expect((failure as Error).message).toBe("producer failed at piece 6");
    expect(await blobs.getContainerClient(container).getBlockBlobClient("broken.jsonl").exists()).toBe(false);
  });

  it("writes an empty producer as an empty blob", async () => {
    await refs.write(uri("empty.jsonl"), pieces(0, 10), "application/x-ndjson");
    expect((await blobs.getContainerClient(container).getBlockBlobClient("empty.jsonl").downloadToBuffer()).length).toBe(0);
  });
});
