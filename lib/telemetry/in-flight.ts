import type { ObservableResult } from "@opentelemetry/api";
import { TelemetryAttributeNames } from "../config/names.js";
import { onInstruments } from "./metrics.js";

/** Reads the in-flight job count of each tenant, e.g. from the ledger's backpressure counters. */
export type InFlightSource = () => Promise<Iterable<readonly [tenantId: string, count: number]>>;

const sources = new Set<InFlightSource>();
let observing = false;

async function observe(result: ObservableResult): Promise<void> {
  const counts = new Map<string, number>();
  for (const source of sources) {
    try {
      for (const [tenant, count] of await source()) counts.set(tenant, (counts.get(tenant) ?? 0) + count);
    } catch {
      // One unreadable source must not cost the rest of the collection; the gauge skips it this round.
    }
  }
  for (const [tenant, count] of counts) result.observe(count, { [TelemetryAttributeNames.tenantId]: tenant });
}

/**
 * Makes `lucius.jobs.inflight` report what `source` reads, each time metrics are collected
 * (so the gauge is as true as the counters, across every instance of the app). Returns a
 * function that unregisters it.
 */
export function registerInFlightSource(source: InFlightSource): () => void {
  sources.add(source);
  if (!observing) {
    observing = true;
    onInstruments((instruments) => instruments.jobsInFlight.addCallback(observe));
  }
  return () => sources.delete(source);
}
