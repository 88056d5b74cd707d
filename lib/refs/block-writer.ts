import type { BlockBlobClient } from "@azure/storage-blob";

/** @default 4 MiB: few blocks for a large output, little memory for any. */
export const defaultBlockBytes = 4 * 1024 * 1024;

export interface BlockWriteOptions {
  contentType: string;
  signal?: AbortSignal;
  /** @default {@link defaultBlockBytes} */
  blockBytes?: number;
}

/** What the body's producer threw (not storage): the caller passes `original` on as it came. */
export class BlockSourceError extends Error {
  override readonly name = "BlockSourceError";
  constructor(readonly original: unknown) {
    super("the body's producer failed");
  }
}

/**
 * Writes `source` as it is produced: its pieces are staged as blocks of about `blockBytes` and
 * committed at the end, so memory holds one block, never the whole blob. Nothing is visible
 * under the blob's name until the commit.
 */
export async function writeBlocks(blob: BlockBlobClient, source: AsyncIterable<string | Buffer>, options: BlockWriteOptions): Promise<void> {
  const blockBytes = options.blockBytes ?? defaultBlockBytes;
  const abort = options.signal ? { abortSignal: options.signal } : {};
  const ids: string[] = [];
  let pending: Buffer[] = [];
  let size = 0;
  const stage = async () => {
    const id = Buffer.from(String(ids.length).padStart(8, "0")).toString("base64");
    const data = Buffer.concat(pending);
    pending = [];
    size = 0;
    await blob.stageBlock(id, data, data.length, abort);
    ids.push(id);
  };
  const pieces = source[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<string | Buffer>;
    try {
      next = await pieces.next();
    } catch (error) {
      throw new BlockSourceError(error);
    }
    if (next.done) break;
    const piece = next.value;
    const bytes = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
    if (bytes.length === 0) continue;
    pending.push(bytes);
    size += bytes.length;
    if (size >= blockBytes) await stage();
  }
  if (size > 0) await stage();
  await blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: options.contentType }, ...abort });
}
