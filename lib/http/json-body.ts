import type { HttpRequest } from "@azure/functions";
import { ProblemError, ProblemType, type ProblemIssue } from "./problem.js";

/** Limits for untrusted JSON bodies. */
export interface BodyLimits {
  /** @default 262144 */
  maxBytes: number;
  /** Deepest allowed nesting of objects and arrays. @default 32 */
  maxDepth?: number;
}

/** Keys that could reach an object's prototype once the body is spread or merged. */
const forbiddenKeys = new Set(["__proto__", "constructor", "prototype"]);

function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const [mediaType, ...params] = contentType.split(";").map((part) => part.trim().toLowerCase());
  const jsonType = mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType ?? "");
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/"/g, "");
  return jsonType && (charset === undefined || charset === "utf-8");
}

/** Nesting depth of JSON text, counted without parsing so hostile input cannot exhaust the stack. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return deepest;
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Keys that could reach a prototype, and numbers JSON.parse turned into Infinity (`1e400`): such
 * a number has no JSON form, so nothing downstream (hashing, storage) could handle it.
 */
function findUnacceptable(value: unknown, pointer: string, found: ProblemIssue[]): void {
  if (found.length >= 20) return;
  if (typeof value === "number" && !Number.isFinite(value)) {
    found.push({ pointer, message: "the number is out of range (beyond ±1.8e308)" });
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => findUnacceptable(item, `${pointer}/${index}`, found));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPointer = `${pointer}/${escapePointer(key)}`;
    if (forbiddenKeys.has(key)) found.push({ pointer: childPointer, message: `the key "${key}" is not allowed` });
    else findUnacceptable(child, childPointer, found);
  }
}

/**
 * Reads a request body as untrusted JSON: media type (415), size (413), syntax
 * (400), nesting depth (400), prototype-reaching keys and out-of-range numbers (422) are all checked
 * before any caller sees the value.
 */
export async function readJsonBody(request: HttpRequest, limits: BodyLimits): Promise<unknown> {
  const maxDepth = limits.maxDepth ?? 32;
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    throw new ProblemError({
      type: ProblemType.unsupportedMediaType,
      title: "Unsupported media type",
      status: 415,
      detail: `Content-Type must be application/json (UTF-8); got ${request.headers.get("content-type") ?? "none"}`,
    });
  }
  const tooLarge = (size: string) =>
    new ProblemError({
      type: ProblemType.bodyTooLarge,
      title: "Body too large",
      status: 413,
      detail: `The body is ${size} bytes; the limit is ${limits.maxBytes} bytes`,
    });
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(String(declared));
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limits.maxBytes) throw tooLarge(String(bytes.length));

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidJson("The body is not valid UTF-8");
  }
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw new ProblemError({
      type: ProblemType.bodyTooDeep,
      title: "Body nested too deeply",
      status: 400,
      detail: `The body nests objects and arrays more than ${maxDepth} levels deep`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidJson(`The body is not valid JSON: ${(error as Error).message}`);
  }
  const unacceptable: ProblemIssue[] = [];
  findUnacceptable(value, "", unacceptable);
  if (unacceptable.length > 0) {
    throw new ProblemError({
      type: ProblemType.validation,
      title: "Validation failed",
      status: 422,
      detail: "The body uses keys or numbers that are never accepted",
      errors: unacceptable,
    });
  }
  return value;
}

function invalidJson(detail: string): ProblemError {
  return new ProblemError({ type: ProblemType.invalidJson, title: "Invalid JSON", status: 400, detail });
}
