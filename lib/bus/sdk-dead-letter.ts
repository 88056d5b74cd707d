import type { ServiceBusMessageContext } from "@azure/functions-extensions-servicebus";

type Actions = ServiceBusMessageContext["actions"];
type Message = Parameters<Actions["deadletter"]>[0];

/**
 * Dead-letters an SDK-bound message with a reason and a description. The Settlement request's
 * two fields are `google.protobuf.StringValue`, but `@azure/functions-extensions-servicebus`
 * 0.2.0-preview puts the plain strings it is given into the request, which protobufjs refuses to
 * serialize (".DeadletterRequest.deadletterReason: object expected"): the call fails in the
 * worker, the message is abandoned, and it is redelivered until MaxDeliveryCountExceeded. The
 * wrapper's object form, `{ value }`, is what serializes; the types do not admit it, hence the casts.
 */
export function deadLetterWithReason(actions: Actions, message: Message, reason: string, description: string): Promise<void> {
  const wrapped = (value: string) => ({ value }) as unknown as string;
  return actions.deadletter(message, undefined, wrapped(reason), wrapped(description));
}
