import type { ServiceBusMessageContext } from "@azure/functions-extensions-servicebus";
import type { InvocationContext } from "@azure/functions";
import { deadLetterWithReason, messageBody, recordDeadLettered, startWorkerAttempt, TopicNames, type DirectiveMessage } from "../../lib/worker-kit.js";
import { attemptKey, AttemptRegistry } from "./attempts.js";
import { DeliveryOutcome, workerEvents, type DeliveryEvent } from "./events.js";
import { readMarker } from "./markers.js";
import { ackFor } from "./replies.js";
import { runAttempt } from "./run-attempt.js";
import { sendReply } from "./send.js";
import { workerServices, type WorkerServices } from "./services.js";
import type { StepWorker } from "./types.js";

/** Service Bus caps a dead-letter description. */
const maxDescription = 1024;

type Message = ServiceBusMessageContext["messages"] extends infer M ? (M extends Array<infer One> ? One : M) : never;

export interface DirectiveHandlerOptions {
  /** @default the process's {@link workerServices} */
  services?: () => WorkerServices;
  /** @default one registry per handler */
  registry?: AttemptRegistry;
}

/**
 * The Service Bus handler of one worker (`sdkBinding: true`, settles itself):
 * - invalid message → dead-lettered with the schema errors as the reason;
 * - CANCEL → aborts the attempt running here; completed;
 * - DIRECTIVE → ACK, message completed, then the work runs inside this invocation with
 *   HEARTBEATs and ends with a RESULT. The message is completed right after the ACK, so the
 *   lock never has to outlast the work: from then on the orchestrator's lease (kept alive by
 *   heartbeats) owns recovery. If the ACK cannot be sent the message is abandoned for redelivery.
 */
export function directiveHandler(worker: StepWorker<Record<string, unknown>>, options: DirectiveHandlerOptions = {}) {
  const registry = options.registry ?? new AttemptRegistry();
  const getServices = options.services ?? (() => workerServices());

  return async function handle(batch: ServiceBusMessageContext, context: InvocationContext): Promise<void> {
    const services = getServices();
    const messages = (Array.isArray(batch.messages) ? batch.messages : [batch.messages]) as Message[];
    const log = (message: string) => context.log(`[${worker.name}] ${message}`);
    for (const message of messages) {
      const report = (outcome: DeliveryOutcome, m?: DirectiveMessage, detail?: string) => {
        const event: DeliveryEvent = {
          worker: worker.name,
          outcome,
          ...(m ? { job_id: m.job_id, step_id: m.step_id, attempt_no: m.attempt_no, lease_id: m.lease_id } : {}),
          ...(detail ? { detail } : {}),
        };
        if (outcome !== DeliveryOutcome.started)
          log(`${m ? `${m.job_id}/${m.step_id}#${m.attempt_no}` : String(message.messageId)}: ${outcome}${detail ? ` (${detail})` : ""}`);
        workerEvents.emit("delivery", event);
      };
      const settle = async (action: "complete" | "abandon", m?: DirectiveMessage) => {
        try {
          await batch.actions[action](message);
        } catch (error) {
          log(`could not ${action} message ${String(message.messageId)}${m ? ` (${m.job_id}/${m.step_id})` : ""}: ${(error as Error).message}`);
        }
      };

      const checked = services.contracts.validateDirective(messageBody(message.body));
      if (!checked.ok || checked.value.step_type !== worker.stepType) {
        const description = checked.ok
          ? `step_type ${checked.value.step_type} is not served by ${worker.name} (${worker.stepType})`
          : checked.errors.map((e) => `${e.pointer || "/"}: ${e.message}`).join("; ");
        const reason = checked.ok ? "WrongStepType" : "InvalidDirective";
        await deadLetterWithReason(batch.actions, message, reason, description.slice(0, maxDescription));
        recordDeadLettered(TopicNames.directives, reason, message.messageId, description);
        report(DeliveryOutcome.invalid, undefined, description);
        continue;
      }
      const m = checked.value;
      const key = attemptKey(m);
      if (m.type === "CANCEL") {
        const wasRunning = registry.cancel(key);
        await settle("complete", m);
        report(DeliveryOutcome.cancelReceived, m, wasRunning ? "attempt aborted" : "attempt not running here");
        continue;
      }
      if (registry.isRunning(key) || registry.wasCancelled(key)) {
        await settle("complete", m);
        report(DeliveryOutcome.duplicate, m);
        continue;
      }
      const recorded = await readMarker(services.refs.forJob(m), services.contracts, m).catch(() => undefined);
      if (recorded) {
        try {
          await sendReply(services.bus, recorded, m);
        } catch (error) {
          log(`re-sending the recorded RESULT failed; abandoning for redelivery: ${(error as Error).message}`);
          await settle("abandon", m);
          continue;
        }
        await settle("complete", m);
        report(DeliveryOutcome.replayed, m, recorded.status);
        continue;
      }
      if (Date.parse(m.lease_expires_at) <= Date.now()) {
        await settle("complete", m);
        report(DeliveryOutcome.stale, m, `lease expired at ${m.lease_expires_at}`);
        continue;
      }
      const controller = registry.start(key);
      if (!controller) {
        await settle("complete", m);
        report(DeliveryOutcome.duplicate, m);
        continue;
      }
      // The worker's span continues the directive's trace; its replies carry the span's traceparent.
      const span = startWorkerAttempt(worker.name, m);
      const traced = { ...m, traceparent: span.traceparent };
      try {
        try {
          await sendReply(services.bus, ackFor(traced), m);
        } catch (error) {
          log(`ACK for ${m.job_id}/${m.step_id} failed; abandoning for redelivery: ${(error as Error).message}`);
          span.end("ack_failed", { message: (error as Error).message });
          await settle("abandon", m);
          continue;
        }
        await settle("complete", m);
        report(DeliveryOutcome.started, m);
        const { outcome, result } = await runAttempt(worker, traced, controller.signal, services, log);
        span.end(outcome, result?.status === "FAILED" ? { ...(result.error ?? {}) } : undefined);
        report(outcome, m, result?.status === "FAILED" ? `${result.failure_class} ${result.error?.code}: ${result.error?.message}` : undefined);
      } catch (error) {
        // Only the RESULT send can get here (its retries exhausted): the lease will expire and the orchestrator retries.
        span.end("result_not_sent", { message: (error as Error).message });
        report(DeliveryOutcome.failed, m, `RESULT could not be sent: ${(error as Error).message}`);
      } finally {
        registry.finish(key);
      }
    }
  };
}
