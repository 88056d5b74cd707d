// Entry file: the EMBEDDING worker's Service Bus trigger (directives/platform-embedding).
import { embeddingWorker } from "../embedding/index.js";
import { registerWorker } from "../runtime/index.js";

registerWorker(embeddingWorker);
