import { refUri, RefUse, type Directive, type RefStore } from "../../lib/worker-kit.js";

/**
 * Checks a directive's refs against its tenant's places before any work: the input must be
 * readable by the tenant, the workspace and the output writable by this job. The store checks
 * every read and write again; this makes a bad directive fail first, with nothing read.
 * Throws a `RefError` (`REF_OUTSIDE_TENANT`, `INVALID_REF`, `INPUT_NOT_ALLOWED`), all NON_RETRYABLE.
 */
export function checkDirectiveRefs(refs: RefStore, directive: Directive): void {
  const { tenant_id, job_id } = directive;
  refs.places.check(refUri(directive.workspace_ref), RefUse.write, tenant_id, job_id);
  refs.places.check(refUri(directive.output_ref), RefUse.write, tenant_id, job_id);
  refs.places.check(refUri(directive.input_ref), RefUse.read, tenant_id, job_id);
}
