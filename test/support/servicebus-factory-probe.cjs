/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS like the packages it loads (see below) */
// Run as a child process: node servicebus-factory-probe.cjs <app dir> --host 127.0.0.1 --port 1
// --functions-grpc-max-message-length 1000 (the arguments the Node worker is started with; the
// Service Bus extension reads them when it builds its settlement client).
//
// Loads the Service Bus extension and `@azure/functions` from <app dir> the way an app does, then
// hands the programming model `@azure/functions` registered one Service Bus message as
// `modelBindingData`, as the host sends an SDK-bound trigger's input, and prints what the
// handler would receive (or the library's error). CommonJS on purpose: both packages are CommonJS,
// and the worker loads `@azure/functions` through `require`.
const Module = require("node:module");
const { join, resolve } = require("node:path");

const appDir = resolve(process.argv[2]);
let programmingModel;
const coreApi = {
  version: "probe",
  hostVersion: "4.0.0-probe",
  setProgrammingModel: (model) => (programmingModel = model),
  getProgrammingModel: () => programmingModel,
  registerFunction: () => ({ dispose() {} }),
  registerHook: () => ({ dispose() {} }),
  log() {},
};
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  return request === "@azure/functions-core" ? coreApi : originalLoad.call(this, request, parent, isMain);
};

const appRequire = Module.createRequire(join(appDir, "package.json"));
appRequire("@azure/functions-extensions-servicebus");
const { app } = appRequire("@azure/functions");
// The programming model is set at the first registration, as an app's entry file makes it.
app.serviceBusTopic("probe", { topicName: "t", subscriptionName: "s", connection: "C", sdkBinding: true, handler: () => {} });
const rhea = Module.createRequire(appRequire.resolve("@azure/functions-extensions-servicebus"))("rhea");

// The extension's encoding: the 16 lock-token bytes, the marker, then the AMQP message.
const lockToken = Buffer.from("00112233445566778899aabbccddeeff", "hex");
const amqp = rhea.message.encode({ message_id: "probe-1", content_type: "application/json", body: rhea.message.data_section(Buffer.from('{"ok":true}')) });
const content = Buffer.concat([lockToken, Buffer.from("x-opt-lock-token"), amqp]);

const invocation = programmingModel.getInvocationModel({
  invocationId: "probe-invocation",
  metadata: {
    name: "probe",
    bindings: { message: { type: "serviceBusTrigger", direction: "in", properties: { supportsDeferredBinding: "true" } } },
  },
  request: {
    inputData: [
      {
        name: "message",
        data: { modelBindingData: { version: "1.0", source: "AzureServiceBusReceivedMessage", contentType: "application/octet-stream", content } },
      },
    ],
    triggerMetadata: {},
  },
  state: "invocation",
  log() {},
});
invocation
  .getArguments()
  .then(({ inputs }) => {
    const { messages, actions } = inputs[0];
    console.log(
      JSON.stringify({ ok: true, messageId: messages.messageId, body: messages.body, lockToken: messages.lockToken, settles: typeof actions.complete }),
    );
  })
  .catch((error) => console.log(JSON.stringify({ ok: false, error: String(error.message ?? error) })));
