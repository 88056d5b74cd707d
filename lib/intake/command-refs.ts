import type { CommandEnvelope, Ref } from "../contracts/index.js";
import { CommandRefusal, CommandRefusedError } from "./errors.js";
import { isRefError } from "../refs/errors.js";
import { refUri } from "../refs/ref-store.js";
import { RefUse, type TenantPlaces } from "../refs/tenant-places.js";

/** The JSON pointer of a ref's URI in the command: the ref itself, or its `uri` member. */
function pointerOf(field: "input_ref" | "output_ref", ref: Ref): string {
  return typeof ref === "string" ? `/${field}` : `/${field}/uri`;
}

/**
 * Refuses (422, before anything is written) a command whose refs leave its tenant's places:
 * the input must be in the tenant's inputs, outputs or workspaces (or an https URL on its
 * allowlist), the output in its outputs place. Spellings that could escape a place — encoded
 * separators, dot segments, backslashes — are refused as such. The workers check again.
 */
export function checkCommandRefs(command: CommandEnvelope, places: TenantPlaces): void {
  const errors: { pointer: string; message: string }[] = [];
  const check = (field: "input_ref" | "output_ref", ref: Ref, use: RefUse) => {
    try {
      places.check(refUri(ref), use, command.tenant_id);
    } catch (error) {
      if (!isRefError(error)) throw error;
      errors.push({ pointer: pointerOf(field, ref), message: `${error.code}: ${error.message}` });
    }
  };
  check("input_ref", command.input_ref, RefUse.read);
  check("output_ref", command.output_ref, RefUse.write);
  if (errors.length === 0) return;
  throw new CommandRefusedError(CommandRefusal.validationFailed, placesDetail(command.tenant_id, places), { errors });
}

function placesDetail(tenantId: string, places: TenantPlaces): string {
  try {
    return `The command's refs must lie in tenant ${tenantId}'s places: inputs under ${places.uri(places.inputs(tenantId))}, outputs under ${places.uri(places.outputs(tenantId))}`;
  } catch {
    return "The command's refs must lie in its tenant's places, and this tenant id has none";
  }
}
