/**
 * Service Bus trigger options for an SDK binding (the function gets `ServiceBusReceivedMessage`s
 * and settles them itself: both apps' host.json set `autoCompleteMessages: false`).
 * `@azure/functions` 4.15.0 (pinned so it shares one `@azure/functions-extensions-base` with the
 * Service Bus extension) reads `sdkBinding` but its types declare it only from 4.16.
 */
export const sdkBindingSettlesItself = { sdkBinding: true } as Record<string, unknown>;

/**
 * An SDK binding whose unsettled messages the host completes once the function returns
 * (`autoCompleteMessages` on the trigger, over host.json's `false`); what the function settles
 * itself (dead-letter, abandon) the host leaves alone. `@azure/functions` 4.15.0 declares
 * `autoCompleteMessages` for queue triggers only; the host reads it on both.
 */
export const sdkBindingCompletedByHost = { ...sdkBindingSettlesItself, autoCompleteMessages: true } as Record<string, unknown>;
