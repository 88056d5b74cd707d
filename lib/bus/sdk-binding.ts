/**
 * Service Bus trigger options for an SDK binding that settles its own messages.
 * `@azure/functions` 4.15.0 (pinned so it shares one `@azure/functions-extensions-base` with the
 * Service Bus extension) reads `sdkBinding` but its types declare it only from 4.16; the
 * extension's `autoCompleteMessages` is not in the v4 types at all.
 */
export const sdkBindingSettlesItself = { sdkBinding: true, autoCompleteMessages: false } as Record<string, unknown>;
