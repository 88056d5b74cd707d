/** Image formats the OCR worker reads, recognised by their magic bytes (never by the declared type). */
export const ImageType = { png: "png", jpeg: "jpeg", tiff: "tiff" } as const;
export type ImageType = (typeof ImageType)[keyof typeof ImageType];

const signatures: Array<[ImageType, number[]]> = [
  [ImageType.png, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  [ImageType.jpeg, [0xff, 0xd8, 0xff]],
  [ImageType.tiff, [0x49, 0x49, 0x2a, 0x00]], // little-endian "II*\0"
  [ImageType.tiff, [0x4d, 0x4d, 0x00, 0x2a]], // big-endian "MM\0*"
];

export function detectImageType(bytes: Uint8Array): ImageType | undefined {
  return signatures.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0];
}
