/**
 * One problem with an input. `pointer` is an RFC 6901 JSON pointer into the validated document
 * ("" is the document itself); for a missing or unknown property it points at that property.
 */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

/** Escapes one reference token (RFC 6901 §3). */
export function pointerToken(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function childPointer(parent: string, token: string | number): string {
  return `${parent}/${pointerToken(String(token))}`;
}
