export { ocrWorker, ocrEngine, OcrOutputFiles } from "./ocr-worker.js";
export { OcrEngine } from "./engine.js";
export { DocumentKind, sniffDocumentKind } from "../../lib/worker-kit.js";
export type { OcrJson, OcrLine, OcrWord } from "./output.js";
