// Entry file: the OCR worker's Service Bus trigger (directives/platform-ocr).
import { ocrWorker } from "../ocr/index.js";
import { registerWorker } from "../runtime/index.js";

registerWorker(ocrWorker);
