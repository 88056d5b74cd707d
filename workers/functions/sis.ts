// Entry file: the SIS worker's Service Bus trigger (directives/platform-sis).
import { sisWorker } from "../sis/index.js";
import { registerWorker } from "../runtime/index.js";

registerWorker(sisWorker);
