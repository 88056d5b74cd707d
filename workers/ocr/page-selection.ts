import { WorkerError, WorkerErrorCode } from "../runtime/errors.js";

/**
 * The pages `page_range` selects ("1-3,7") out of `count`, in document order, each once. Unset
 * selects every page. Pages past the end are ignored; a range that selects none of the
 * document's pages is refused rather than producing an empty text.
 */
export function selectPages(range: string | undefined, count: number): number[] {
  if (range === undefined) return Array.from({ length: count }, (_, i) => i + 1);
  const selected = new Set<number>();
  for (const part of range.split(",").map((p) => p.trim())) {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    const from = match ? Number(match[1]) : NaN;
    const to = match?.[2] !== undefined ? Number(match[2]) : from;
    if (!match || from < 1 || to < from) throw new WorkerError(WorkerErrorCode.invalidPayload, `page_range "${range}" is not a list of pages like "1-3,7"`);
    for (let page = from; page <= Math.min(to, count); page++) selected.add(page);
  }
  if (selected.size === 0) {
    throw new WorkerError(WorkerErrorCode.invalidPayload, `page_range "${range}" selects none of the document's ${count} page${count === 1 ? "" : "s"}`, {
      page_range: range,
      pages: count,
    });
  }
  return [...selected].sort((a, b) => a - b);
}
