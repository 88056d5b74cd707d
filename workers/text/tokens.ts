/** A whitespace-delimited token and where it sits in the text. */
export interface TokenSpan {
  text: string;
  start: number;
  end: number;
}

/** Whitespace tokens: the unit of chunking (`max_tokens`, `overlap_tokens`) in every worker. */
export function tokenSpans(text: string): TokenSpan[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Longest k such that the last k tokens of `left` equal the first k of `right`. */
function overlapLength(left: readonly TokenSpan[], right: readonly TokenSpan[], limit = 4096): number {
  const max = Math.min(left.length, right.length - 1, limit);
  for (let k = max; k > 0; k--) {
    let same = true;
    for (let i = 0; i < k && same; i++) same = left[left.length - k + i]!.text === right[i]!.text;
    if (same) return k;
  }
  return 0;
}

/**
 * Rebuilds a text from overlapping chunks (the EMBEDDING output): each chunk contributes what
 * follows the tokens it shares with the text so far, keeping its own line breaks.
 */
export function joinChunks(chunks: readonly string[]): string {
  let text = "";
  let spans: TokenSpan[] = [];
  for (const chunk of chunks) {
    const own = tokenSpans(chunk);
    if (own.length === 0) continue;
    const k = text === "" ? 0 : overlapLength(spans, own);
    const rest = k === 0 ? chunk.slice(own[0]!.start) : chunk.slice(own[k - 1]!.end);
    text = text === "" ? rest : k === 0 ? `${text}\n${rest}` : text + rest;
    spans = tokenSpans(text);
  }
  return text;
}
