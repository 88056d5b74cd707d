import { randomUUID } from "node:crypto";
import type { Contracts, CommandEnvelope, Protocol } from "../contracts/index.js";
import { bodyHash, idempotencyKey } from "../idempotency-key.js";
import { tenantKeyIssue, type Admission, AdmissionRefusedError, type CreateJobResult, type Job, type Ledger, type NewStep } from "../ledger/index.js";
import { CommandRefusal, CommandRefusedError, type CommandIssue } from "./errors.js";
import { untracedIntake, type IntakeObserver } from "../telemetry/intake.js";
import type { JobStarter } from "./job-starter.js";
import type { JobOrchestrationInput } from "../orchestration/names.js";
import type { InFlightLimits } from "../config/settings.js";
import type { TenantPlaces } from "../refs/tenant-places.js";
import { checkCommandRefs } from "./command-refs.js";
import { reviewService } from "../review/condition.js";

export interface SubmitDependencies {
  contracts: Contracts;
  ledger: Ledger;
  starter: JobStarter;
  limits: InFlightLimits;
  /** The tenants' places in the storage account; refs outside them are refused. */
  places: TenantPlaces;
  /** Who submits (see `callerLabel`), recorded on the JOB_CREATED event. */
  submittedBy?: string;
  /**
   * The POST's telemetry, which gives the new job its traceparent.
   * @default untracedIntake: the envelope's traceparent, else a new trace
   */
  intake?: IntakeObserver;
}

/** How long a client told 429 should wait before trying again. */
export const retryAfterSeconds = 5;

/** A job the command created (`replayed: false`) or that an earlier identical command created. */
export interface SubmitResult {
  job: Job;
  replayed: boolean;
}

function validationFailed(detail: string, errors: readonly CommandIssue[]): CommandRefusedError {
  return new CommandRefusedError(CommandRefusal.validationFailed, detail, { errors });
}

function protocolFor(contracts: Contracts, envelope: CommandEnvelope): Protocol {
  const protocol = contracts.resolveProtocol(envelope.request_type);
  if (protocol) return protocol;
  const known = contracts.registry.protocols.flatMap((p) => p.request_types);
  throw new CommandRefusedError(CommandRefusal.unknownRequestType, `No protocol serves request_type "${envelope.request_type}"; known: ${known.join(", ")}`, {
    known,
    errors: [{ pointer: "/request_type", message: "unknown request_type" }],
  });
}

function orchestrationInput(job: Job): JobOrchestrationInput {
  return {
    job_id: job.job_id,
    tenant_id: job.tenant_id,
    protocol_id: job.protocol_id,
    ...(job.correlation_id ? { correlation_id: job.correlation_id } : {}),
    ...(job.traceparent ? { traceparent: job.traceparent } : {}),
  };
}

/**
 * Accepts one command: validates it (envelope, protocol, per-step payloads, refs inside the tenant's places),
 * writes the job exactly once under its idempotency key, and starts its
 * orchestration. Every refusal is a {@link CommandRefusedError} (or the ledger's own, e.g. an entity
 * too large) and writes nothing.
 */
export async function submitCommand(body: unknown, deps: SubmitDependencies): Promise<SubmitResult> {
  const envelope = deps.contracts.validateEnvelope(body);
  if (!envelope.ok) throw validationFailed("The command does not match command-envelope.v1", envelope.errors);
  const command = envelope.value;
  const tenantIssue = tenantKeyIssue(command.tenant_id);
  if (tenantIssue) throw validationFailed("The tenant id cannot be stored", [{ pointer: "/tenant_id", message: tenantIssue }]);
  const protocol = protocolFor(deps.contracts, command);
  const payloads = deps.contracts.stepPayloads(command, protocol);
  if (!payloads.ok) throw validationFailed("A step's payload does not match its schema", payloads.errors);
  checkCommandRefs(command, deps.places);
  const deadline = jobDeadline(command, protocol, new Date());

  const steps: NewStep[] = protocol.steps.map((step, index) => ({
    step_id: step.step_id,
    step_type: step.step_type,
    // A REVIEW step has no service: Lucius runs it.
    service: step.service ?? reviewService,
    payload: payloads.value[step.step_id] ?? {},
    ...(step.retry?.max_attempts ? { max_attempts: step.retry.max_attempts } : {}),
    ...(index === 0 ? { input_ref: command.input_ref } : {}),
  }));
  const claim = { key: idempotencyKey(command).key, bodyHash: bodyHash(command) };
  // Admission happens inside the creation, once the reservation insert has won the key: a replay
  // or a 409 is answered by that insert failing, so it takes no in-flight place and the counters
  // are not written for it, and a new command — the common case — reads nothing before its writes.
  let admission: Admission | undefined;
  const admit = async () => (admission = await deps.ledger.admit(command.tenant_id, deps.limits)).admitted;
  const jobId = randomUUID();
  const start = new StartUnderWay(jobId);
  let result: CreateJobResult;
  try {
    result = await deps.ledger.createJob(
      {
        job_id: jobId,
        tenant_id: command.tenant_id,
        request_type: command.request_type,
        protocol_id: protocol.protocol_id,
        input_ref: command.input_ref,
        output_ref: command.output_ref,
        payload: command.payload,
        mode: command.mode ?? "DEFAULT",
        schema_version: command.schema_version,
        ...(command.doc_id !== undefined ? { doc_id: command.doc_id } : {}),
        ...(command.correlation_id !== undefined ? { correlation_id: command.correlation_id } : {}),
        traceparent: (deps.intake ?? untracedIntake).traceparent(command),
        ...(deps.submittedBy !== undefined ? { submitted_by: deps.submittedBy } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
      },
      steps,
      claim,
      { admit },
    );
  } catch (error) {
    start.abandon();
    if (error instanceof AdmissionRefusedError && admission && !admission.admitted) throw tooManyInFlight(command.tenant_id, admission);
    if (admission?.admitted) await deps.ledger.release(command.tenant_id);
    throw error;
  }
  return settled(result, deps, start);
}

/**
 * The job's deadline: the command's, or the protocol's `sla_seconds` from now, whichever is
 * earlier; undefined when neither is set. A command deadline that is not in the future is 422:
 * the job could only fail.
 */
export function jobDeadline(command: CommandEnvelope, protocol: Protocol, now: Date): string | undefined {
  const asked = command.deadline === undefined ? undefined : Date.parse(command.deadline);
  if (asked !== undefined && !(asked > now.getTime())) {
    throw validationFailed("The deadline has passed", [{ pointer: "/deadline", message: `must lie in the future (now is ${now.toISOString()})` }]);
  }
  const sla = protocol.sla_seconds === undefined ? undefined : now.getTime() + protocol.sla_seconds * 1000;
  const earliest = Math.min(asked ?? Infinity, sla ?? Infinity);
  return Number.isFinite(earliest) ? new Date(earliest).toISOString() : undefined;
}

function tooManyInFlight(tenantId: string, refusal: Extract<Admission, { admitted: false }>): CommandRefusedError {
  const who = refusal.scope === "tenant" ? `Tenant ${tenantId} has` : "Lucius has";
  return new CommandRefusedError(
    CommandRefusal.tooManyInFlight,
    `${who} ${refusal.in_flight} jobs in flight; the ${refusal.scope} limit is ${refusal.limit}. Retry once some finish.`,
    { scope: refusal.scope, limit: refusal.limit },
    retryAfterSeconds,
  );
}

/** Answers a created, replayed or conflicting submission. */
async function settled(result: CreateJobResult, deps: SubmitDependencies, start: StartUnderWay): Promise<SubmitResult> {
  if (result.outcome === "created" && result.job.job_id === start.jobId) {
    await start.run(() => deps.starter.start(orchestrationInput(result.job)));
    return { job: result.job, replayed: false };
  }
  start.abandon();
  if (result.outcome === "conflict") {
    throw new CommandRefusedError(
      CommandRefusal.idempotencyKeyReused,
      `This tenant's idempotency key already belongs to job ${result.job_id}, submitted with a different body`,
      { job_id: result.job_id },
    );
  }
  // Created here from a reservation another submission abandoned, or replayed: a job still QUEUED
  // may follow a start that failed, so make sure it runs. One that this process is still starting
  // is waited for instead of being started a second time.
  if (result.job.state === "QUEUED") {
    const ensure = () => deps.starter.ensureStarted(orchestrationInput(result.job));
    const underWay = startsUnderWay.get(result.job.job_id);
    await (underWay ? underWay.catch(ensure) : ensure());
  }
  return { job: result.job, replayed: result.outcome !== "created" };
}

/**
 * The orchestration starts this process has under way, by job id. A start is registered before
 * its job is written, not once the write is answered: a replay may read the job from storage
 * before its creator has heard back, and must then wait for that start rather than send another.
 */
const startsUnderWay = new Map<string, Promise<void>>();

/** One submission's claim on starting the job it is about to create; settled exactly once. */
class StartUnderWay {
  private settle!: (start: Promise<void>) => void;

  constructor(readonly jobId: string) {
    const underWay = new Promise<void>((resolve, reject) => (this.settle = (start) => void start.then(resolve, reject)));
    underWay.catch(() => undefined);
    startsUnderWay.set(jobId, underWay);
  }

  /** Starts the orchestration; submissions waiting on this job see the start's outcome. */
  async run(begin: () => Promise<void>): Promise<void> {
    const started = begin();
    this.settle(started);
    try {
      await started;
    } finally {
      startsUnderWay.delete(this.jobId);
    }
  }

  /** No job was created under this id here: anyone waiting on it checks for themselves. */
  abandon(): void {
    this.settle(Promise.reject(new Error(`job ${this.jobId} is not started by this submission`)));
    startsUnderWay.delete(this.jobId);
  }
}
