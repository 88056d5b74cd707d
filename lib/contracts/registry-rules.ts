import type { ProtocolRegistry } from "./types.gen.js";
import type { ValidationIssue } from "./validation.js";
import { ReviewStepType } from "../review/condition.js";

/**
 * Cross-reference rules the registry schema cannot express. Assumes `registry` already
 * satisfies protocol-registry.v1; pointers are into the registry document.
 */
export function registryRuleIssues(registry: ProtocolRegistry, schemaIds: ReadonlySet<string>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const protocolIds = new Map<string, number>();
  const requestTypes = new Map<string, string>();

  registry.protocols.forEach((protocol, p) => {
    const at = `/protocols/${p}`;
    const firstWithId = protocolIds.get(protocol.protocol_id);
    if (firstWithId === undefined) protocolIds.set(protocol.protocol_id, p);
    else issues.push({ pointer: `${at}/protocol_id`, message: `duplicate protocol_id "${protocol.protocol_id}" (first at /protocols/${firstWithId})` });

    protocol.request_types.forEach((requestType, r) => {
      const owner = requestTypes.get(requestType);
      if (owner === undefined) requestTypes.set(requestType, protocol.protocol_id);
      else
        issues.push({
          pointer: `${at}/request_types/${r}`,
          message: `request type "${requestType}" is already served by protocol "${owner}"; a request type must resolve to one protocol`,
        });
    });

    const stepIds = new Set<string>();
    protocol.steps.forEach((step, s) => {
      const stepAt = `${at}/steps/${s}`;
      if (stepIds.has(step.step_id))
        issues.push({ pointer: `${stepAt}/step_id`, message: `duplicate step_id "${step.step_id}" in protocol "${protocol.protocol_id}"` });
      stepIds.add(step.step_id);

      if (step.payload_schema_ref !== undefined && !schemaIds.has(step.payload_schema_ref)) {
        issues.push({
          pointer: `${stepAt}/payload_schema_ref`,
          message: `"${step.payload_schema_ref}" is not the $id of any schema in contracts/`,
        });
      }

      // The last step writes the job's output; a review writes nothing.
      if (step.step_type === ReviewStepType && s === protocol.steps.length - 1) {
        issues.push({
          pointer: `${stepAt}/step_type`,
          message: `a REVIEW step cannot be the last step of protocol "${protocol.protocol_id}": the last step writes the job's output`,
        });
      }

      const backoff = step.retry?.backoff_seconds;
      const maxAttempts = step.retry?.max_attempts;
      if (backoff && maxAttempts !== undefined && backoff.length > maxAttempts - 1) {
        issues.push({
          pointer: `${stepAt}/retry/backoff_seconds`,
          message: `has ${backoff.length} entries but max_attempts ${maxAttempts} allows only ${maxAttempts - 1} retr${maxAttempts === 2 ? "y" : "ies"}`,
        });
      }
      backoff?.forEach((seconds, i) => {
        const previous = i > 0 ? backoff[i - 1] : undefined;
        if (previous !== undefined && seconds < previous) {
          issues.push({
            pointer: `${stepAt}/retry/backoff_seconds/${i}`,
            message: `must not be shorter than the backoff before it (${seconds} < ${previous})`,
          });
        }
      });
    });
  });
  return issues;
}
