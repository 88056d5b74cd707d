/**
 * Service Bus trigger options for an SDK binding (the function gets `ServiceBusReceivedMessage`s
 * and settles them itself: both apps' host.json set `autoCompleteMessages: false`).
 * `@azure/functions` 4.15.0 (pinned so it shares one `@azure/functions-extensions-base` with the
 * Service Bus extension) reads `sdkBinding` but its types declare it only from 4.16.
 */
export const sdkBindingSettlesItself = { sdkBinding: true } as Record<string, unknown>;
