import { RefError, RefErrorCode } from "./errors.js";

const invalid = (message: string) => new RefError(RefErrorCode.invalidRef, message);

/** Origin and decoded path segments of an http(s) URI, as the storage service will resolve them. */
export interface RefPath {
  url: URL;
  /** Decoded segments after the origin; a trailing `/` leaves a last empty segment. */
  segments: string[];
}

/**
 * Parses a ref URI strictly, on its raw spelling: a backslash, an encoded separator (`%2F`,
 * `%5C`), a dot segment (`.`, `..`, `%2e%2e`), an empty segment or a broken escape is refused
 * with `INVALID_REF`, because `new URL` would resolve some of them away and the storage SDK
 * would turn others into separators after any check made on the parsed path.
 */
export function parseRefPath(uri: string): RefPath {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`"${uri}" is not an absolute URI; local paths are not accepted`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid(`${url.protocol} refs are not accepted (only the storage account's blobs, or https from the allowlist)`);
  }
  if (uri.includes("\\")) throw invalid(`${uri} contains a backslash`);
  const raw = uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").split(/[?#]/)[0]!;
  if (/%(2f|5c)/i.test(raw)) throw invalid(`${uri} contains an encoded path separator`);
  const rawSegments = raw.split("/").slice(1);
  const segments = rawSegments.map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw invalid(`${uri} contains a broken percent-escape`);
    }
  });
  segments.forEach((segment, index) => {
    if (segment === "." || segment === "..") throw invalid(`${uri} contains a dot segment`);
    if (segment === "" && index !== segments.length - 1) throw invalid(`${uri} contains an empty path segment`);
  });
  return { url, segments };
}

/**
 * Verdicts already reached. The job orchestrator asks again, on every replay, about each RESULT its
 * history holds; parsing both URIs each time was a third of the CPU its own code took in a pipeline run.
 */
const verdicts = new Map<string, boolean>();
const maxVerdicts = 1024;

/**
 * Whether `uri` lies where `target` says: inside it when `target` is a folder (ends with `/`),
 * or the same blob otherwise. Both are compared decoded, so spellings of one name agree;
 * a URI that fails {@link parseRefPath} lies nowhere.
 */
export function liesWithin(uri: string, target: string): boolean {
  // The length first, so no two pairs of strings share a key.
  const key = `${uri.length}:${uri}${target}`;
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = judgeLiesWithin(uri, target);
    if (verdicts.size >= maxVerdicts) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

function judgeLiesWithin(uri: string, target: string): boolean {
  let inner: RefPath;
  let outer: RefPath;
  try {
    inner = parseRefPath(uri);
    outer = parseRefPath(target);
  } catch {
    return false;
  }
  if (inner.url.origin !== outer.url.origin || inner.url.username || inner.url.password) return false;
  const folder = outer.segments.at(-1) === "";
  if (!folder) return inner.segments.length === outer.segments.length && inner.segments.every((s, i) => s === outer.segments[i]);
  const prefix = outer.segments.slice(0, -1);
  return inner.segments.length > prefix.length && prefix.every((s, i) => s === inner.segments[i]);
}
