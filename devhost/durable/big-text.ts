/**
 * Table Storage caps a string property at 64 KiB (32K UTF-16 characters), so long
 * JSON texts are spread over `name`, `name_1`, `name_2`, … and joined on read.
 */
const partLength = 30_000;

export function putText(entity: Record<string, unknown>, name: string, text: string | undefined): void {
  if (text === undefined) return;
  const parts = Math.max(1, Math.ceil(text.length / partLength));
  for (let i = 0; i < parts; i++) {
    entity[i === 0 ? name : `${name}_${i}`] = text.slice(i * partLength, (i + 1) * partLength);
  }
}

export function getText(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== "string") return undefined;
  let text = first;
  for (let i = 1; ; i++) {
    const next = entity[`${name}_${i}`];
    if (typeof next !== "string") return text;
    text += next;
  }
}

/** Splits a text into pieces that each fit one entity (~1 MiB limit) with room to spare. */
export function splitForEntities(text: string, maxChars = 400_000): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += maxChars) pieces.push(text.slice(i, i + maxChars));
  return pieces.length > 0 ? pieces : [""];
}
