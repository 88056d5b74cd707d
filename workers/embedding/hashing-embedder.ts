/** The offline embedder's model id and vector dimension. */
export const hashingModel = "lucius-hash-256";
export const hashingDimension = 256;

/** FNV-1a, 32-bit, over UTF-8. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function terms(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}$€£.,-]+/u)
    .map((t) => t.replace(/^[.,-]+|[.,-]+$/g, ""))
    .filter(Boolean);
}

/**
 * Feature hashing ("the hashing trick"), deterministic and offline: every lower-cased word and
 * word bigram adds ±1 to one of {@link hashingDimension} buckets (bucket and sign from two
 * FNV-1a hashes). Similar texts share buckets, so cosine similarity is meaningful for lexical
 * overlap — not for meaning. `normalize` scales the vector to unit L2 length.
 */
export function hashingEmbed(text: string, normalize: boolean): number[] {
  const vector = new Array<number>(hashingDimension).fill(0);
  const words = terms(text);
  const features = [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
  for (const feature of features) {
    const bucket = fnv1a(feature) % hashingDimension;
    vector[bucket]! += fnv1a(`sign:${feature}`) & 1 ? 1 : -1;
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
  const scale = normalize && norm > 0 ? 1 / norm : 1;
  return vector.map((v) => Math.round(v * scale * 1e6) / 1e6);
}
