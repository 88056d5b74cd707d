import { createCanvas } from "@napi-rs/canvas";

/** RGBA pixels (8 bits a channel) as PNG bytes, the form the recognizers take. */
export function rgbaToPng(rgba: Uint8Array, width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  image.data.set(rgba.subarray(0, width * height * 4));
  context.putImageData(image, 0, 0);
  return canvas.toBuffer("image/png");
}
