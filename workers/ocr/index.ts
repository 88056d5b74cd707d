export { ocrWorker, ocrEngine, OcrOutputFiles } from "./ocr-worker.js";
export { OcrEngine } from "./engine.js";
export { detectImageType, ImageType } from "./image-type.js";
export type { OcrJson, OcrLine, OcrWord } from "./output.js";
