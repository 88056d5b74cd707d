import type { InputDocument } from "../../lib/worker-kit.js";
import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";
import { joinChunks } from "./tokens.js";

/** What kind of text input a step received. */
export const TextSource = { plain: "text", ocrJson: "ocr_json", chunks: "jsonl_chunks" } as const;
export type TextSource = (typeof TextSource)[keyof typeof TextSource];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function decode(bytes: Buffer, stepType: string, contentType?: string): string {
  const looksBinary = bytes.subarray(0, 8192).includes(0);
  try {
    if (!looksBinary) return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    // falls through to the error below
  }
  throw new WorkerError(
    WorkerErrorCode.unsupportedContentType,
    `${stepType} reads UTF-8 text (plain, OCR JSON or JSONL chunks); the input is binary${contentType ? ` (declared ${contentType})` : ""}`,
    { declared_content_type: contentType ?? null },
  );
}

function fromJson(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (!isObject(value)) return undefined;
  if (typeof value.text === "string") return value.text;
  if (Array.isArray(value.lines)) return value.lines.map((l) => (isObject(l) && typeof l.text === "string" ? l.text : "")).join("\n");
  return undefined;
}

function fromJsonLines(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) return undefined;
  const texts: string[] = [];
  for (const line of lines) {
    try {
      const row: unknown = JSON.parse(line);
      if (!isObject(row) || typeof row.text !== "string") return undefined;
      texts.push(row.text);
    } catch {
      return undefined;
    }
  }
  return texts;
}

/**
 * The text of a step input: OCR JSON (`{text}` or `{lines}`), JSONL chunks (`{text}` per line,
 * overlaps removed), or plain UTF-8 text. Binary input is NON_RETRYABLE UNSUPPORTED_CONTENT_TYPE.
 */
export function documentText(input: InputDocument, stepType: string): { text: string; source: TextSource } {
  const raw = decode(input.bytes, stepType, input.contentType);
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith('"')) {
    try {
      const text = fromJson(JSON.parse(trimmed));
      if (text !== undefined) return { text, source: TextSource.ocrJson };
    } catch {
      // not one JSON document: maybe JSONL
    }
    const chunks = fromJsonLines(trimmed);
    if (chunks) return { text: joinChunks(chunks), source: TextSource.chunks };
  }
  return { text: raw, source: TextSource.plain };
}
