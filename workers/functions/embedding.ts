// Entry file: the EMBEDDING worker's Service Bus trigger (directives/platform-embedding).
import "./_telemetry.js";
import { embeddingWorker } from "../embedding/index.js";
import { registerWorker } from "../runtime/index.js";

registerWorker(embeddingWorker);
