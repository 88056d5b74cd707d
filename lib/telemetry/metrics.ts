import { metrics, type Counter, type Histogram, type ObservableGauge } from "@opentelemetry/api";
import { MetricNames } from "../config/names.js";
import { packageVersion } from "../paths.js";
import { instrumentationScope } from "./tracer.js";

/** Bucket bounds (ms) for attempt durations and ACK latencies: sub-second ACKs to 15-minute leases. */
const millisecondBuckets = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 900_000];
/** Bucket bounds (ms) for whole jobs and reviews, which wait for people: seconds to a day. */
const longBuckets = [100, 500, 1000, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 14_400_000, 43_200_000, 86_400_000];

export interface AppInstruments {
  commandsAccepted: Counter;
  commandsRejected: Counter;
  jobsTerminal: Counter;
  jobsInFlight: ObservableGauge;
  stepAttemptDuration: Histogram;
  stepAckLatency: Histogram;
  stepRetries: Counter;
  repliesIgnored: Counter;
  messagesDeadLettered: Counter;
  jobDuration: Histogram;
  jobsDeadlineMissed: Counter;
  reviewWait: Histogram;
  reviewsOpened: Counter;
}

let instruments: AppInstruments | undefined;

function create(): AppInstruments {
  const meter = metrics.getMeter(instrumentationScope, packageVersion);
  const histogram = (name: string, description: string, buckets = millisecondBuckets) =>
    meter.createHistogram(name, { description, unit: "ms", advice: { explicitBucketBoundaries: buckets } });
  return {
    commandsAccepted: meter.createCounter(MetricNames.commandsAccepted, { description: "Commands accepted at intake, new or replayed" }),
    commandsRejected: meter.createCounter(MetricNames.commandsRejected, { description: "Commands refused at intake, by problem type" }),
    jobsTerminal: meter.createCounter(MetricNames.jobsTerminal, { description: "Jobs that reached a terminal state, by state" }),
    jobsInFlight: meter.createObservableGauge(MetricNames.jobsInFlight, { description: "Jobs admitted and not yet terminal, by tenant" }),
    stepAttemptDuration: histogram(MetricNames.stepAttemptDuration, "Step attempts from dispatch to outcome, by step type and outcome"),
    stepAckLatency: histogram(MetricNames.stepAckLatency, "Dispatch to the worker's ACK, by step type"),
    stepRetries: meter.createCounter(MetricNames.stepRetries, { description: "Step attempts retried, by cause" }),
    repliesIgnored: meter.createCounter(MetricNames.repliesIgnored, { description: "Worker replies that changed nothing, by reason" }),
    messagesDeadLettered: meter.createCounter(MetricNames.messagesDeadLettered, { description: "Messages the app dead-lettered, by topic and reason" }),
    jobDuration: histogram(MetricNames.jobDuration, "Jobs from acceptance to their terminal state, by protocol and outcome", longBuckets),
    jobsDeadlineMissed: meter.createCounter(MetricNames.jobsDeadlineMissed, { description: "Jobs that failed because their deadline passed, by protocol" }),
    reviewWait: histogram(MetricNames.reviewWait, "Review steps from awaiting approval to their decision, by decision", longBuckets),
    reviewsOpened: meter.createCounter(MetricNames.reviewsOpened, { description: "Review steps that began to wait for a person, by protocol" }),
  };
}

const created: Array<(instruments: AppInstruments) => void> = [];

/** Runs `hook` once the instruments exist (now, if they do). */
export function onInstruments(hook: (instruments: AppInstruments) => void): void {
  if (instruments) hook(instruments);
  else created.push(hook);
}

/**
 * The app's instruments, on the OpenTelemetry API only: without a registered
 * SDK they cost nothing; with one (Azure Monitor, devhost's in-memory reader, a
 * test's exporter) they are exported. The metrics API has no proxy provider, so
 * they are created at first use, after start-up registered the SDK.
 */
export function appMetrics(): AppInstruments {
  if (!instruments) {
    instruments = create();
    for (const hook of created.splice(0)) hook(instruments);
  }
  return instruments;
}
