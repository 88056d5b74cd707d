import type { GrayRaster } from "../../scripts/make-sample-document.mjs";

/**
 * A badly scanned copy of a gray raster: a box blur of `radius` pixels, the ink faded towards
 * the paper, and salt-and-pepper noise from a fixed-seed generator, so every run sees the same
 * image.
 */
export function degraded({ width, height, pixels }: GrayRaster, { radius = 3, noise = 0.12, seed = 42 } = {}): GrayRaster {
  const blurred = Buffer.alloc(pixels.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let count = 0;
      for (let dy = -radius; dy <= radius; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -radius; dx <= radius; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          sum += pixels[yy * width + xx]!;
          count++;
        }
      }
      blurred[y * width + x] = Math.round(96 + ((sum / count) * (255 - 96)) / 255);
    }
  }
  let state = seed >>> 0;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < blurred.length; i++) {
    if (random() < noise) blurred[i] = random() < 0.5 ? 0 : 255;
  }
  return { width, height, pixels: blurred };
}
