export { registerWorker } from "./register.js";
export { directiveHandler, type DirectiveHandlerOptions } from "./handler.js";
export { workerEvents, DeliveryOutcome, type DeliveryEvent } from "./events.js";
export { WorkerError, WorkerErrorCode, FailureClass, failureOf } from "./errors.js";
export { workerServices, type WorkerServices } from "./services.js";
export { loadWorkerSettings, type WorkerSettings, type OpenAiSettings } from "./settings.js";
export { markerUri } from "./markers.js";
export type { StepWorker, StepContext, StepOutput } from "./types.js";
