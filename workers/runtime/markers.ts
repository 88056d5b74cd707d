import { refUri, reservedFolder, type Contracts, type DirectiveMessage, type RefStore, type ResultReply } from "../../lib/worker-kit.js";

/**
 * Where a finished attempt records its RESULT: `<workspace>/_lucius/attempts/<step>/<attempt>-<lease>.json`.
 * A redelivered directive for that attempt re-sends this instead of redoing the work.
 */
export function markerUri(d: Pick<DirectiveMessage, "workspace_ref" | "step_id" | "attempt_no" | "lease_id">): string {
  const workspace = refUri(d.workspace_ref);
  const base = workspace.endsWith("/") ? workspace : `${workspace}/`;
  return `${base}${reservedFolder}attempts/${encodeURIComponent(d.step_id)}/${d.attempt_no}-${d.lease_id}.json`;
}

/** The recorded RESULT of this attempt, if it finished; a marker that is not a valid RESULT counts as none. */
export async function readMarker(refs: RefStore, contracts: Contracts, d: DirectiveMessage): Promise<ResultReply | undefined> {
  const bytes = await refs.readIfExists(markerUri(d));
  if (!bytes) return undefined;
  try {
    const checked = contracts.validateReply(JSON.parse(bytes.toString("utf8")));
    return checked.ok && checked.value.type === "RESULT" ? checked.value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeMarker(refs: RefStore, d: DirectiveMessage, result: ResultReply): Promise<void> {
  await refs.write(markerUri(d), JSON.stringify(result), "application/json");
}
