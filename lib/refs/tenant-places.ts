import { AppSettingNames, ContainerNames } from "../config/names.js";
import { ConfigurationError } from "../config/settings.js";
import { isAllowed, parseAllowlist, type Allowlist } from "./allowlist.js";
import { locateBlob, type BlobLocation } from "./blob-location.js";
import { RefError, RefErrorCode } from "./errors.js";
import { parseRefPath } from "./ref-path.js";

type Env = Record<string, string | undefined>;

/** Characters a tenant id keeps in its blob path segment; every other UTF-8 byte becomes `~XX`. */
const keptCharacter = /[A-Za-z0-9_-]/;

/**
 * The blob path segment of a tenant id (or job id): ASCII letters, digits, `_` and `-` stay, every other
 * UTF-8 byte (`~` included) becomes `~` and two upper-case hex digits — `acme.eu` →
 * `acme~2Eeu`, `a/b` → `a~2Fb`. Deterministic and one-to-one, never `.`/`..`, never a
 * separator. A lone surrogate has no UTF-8 form and is refused.
 */
export function pathSegment(tenantId: string): string {
  if (tenantId === "" || /\p{Cs}/u.test(tenantId))
    throw new RefError(RefErrorCode.invalidRef, "An id used in a blob path must be non-empty well-formed Unicode");
  let out = "";
  for (const char of tenantId) {
    if (keptCharacter.test(char)) out += char;
    else for (const byte of Buffer.from(char, "utf8")) out += `~${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** External https inputs a tenant may name: the shared list plus its own. */
export interface InputAllowlists {
  /** `LUCIUS_INPUT_ALLOWLIST`: open to every tenant. */
  shared: Allowlist;
  /** `LUCIUS_TENANT_INPUT_ALLOWLISTS`: tenant id → its own entries. */
  perTenant: Readonly<Record<string, Allowlist>>;
}

/**
 * Parses `LUCIUS_TENANT_INPUT_ALLOWLISTS`: a JSON object of tenant id → https prefixes (an array,
 * or one comma-separated string), each entry as in `LUCIUS_INPUT_ALLOWLIST`. @default {}
 */
export function parseTenantAllowlists(raw: string | undefined): Readonly<Record<string, Allowlist>> {
  const name = AppSettingNames.tenantInputAllowlists;
  if (raw === undefined || raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`${name} must be a JSON object of tenant id → https URL prefixes`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigurationError(`${name} must be a JSON object of tenant id → https URL prefixes`);
  const out: Record<string, Allowlist> = {};
  for (const [tenant, entries] of Object.entries(value)) {
    const list = Array.isArray(entries) && entries.every((e) => typeof e === "string") ? entries.join(",") : entries;
    if (typeof list !== "string") throw new ConfigurationError(`${name}: tenant "${tenant}" must map to a string or an array of strings`);
    out[tenant] = parseAllowlist(list, `${name} (tenant "${tenant}")`);
  }
  return out;
}

/** Reads both allowlist settings. */
export function inputAllowlistsFromEnv(env: Env): InputAllowlists {
  return { shared: parseAllowlist(env[AppSettingNames.inputAllowlist]), perTenant: parseTenantAllowlists(env[AppSettingNames.tenantInputAllowlists]) };
}

/** A folder in the account: container and a name prefix ending with `/`. */
export interface Place {
  container: string;
  prefix: string;
}

/** What a ref may be used for: read as a step's input, or written as a step's output. */
export const RefUse = { read: "read", write: "write" } as const;
export type RefUse = (typeof RefUse)[keyof typeof RefUse];

const outside = (message: string) => new RefError(RefErrorCode.refOutsideTenant, message);

/**
 * Each tenant's places in the storage account — `inputs/<tenant>/`, `outputs/<tenant>/` and
 * `workspaces/<tenant>/<job_id>/` (`<tenant>` being {@link pathSegment}) — and the checks
 * that keep a job's refs inside them. Intake and the workers run the same checks.
 */
export class TenantPlaces {
  readonly accountUrl: URL;

  constructor(
    accountUrl: string | URL,
    readonly allowlists: InputAllowlists = { shared: [], perTenant: {} },
  ) {
    this.accountUrl = new URL(accountUrl);
  }

  inputs(tenantId: string): Place {
    return { container: ContainerNames.inputs, prefix: `${pathSegment(tenantId)}/` };
  }

  outputs(tenantId: string): Place {
    return { container: ContainerNames.outputs, prefix: `${pathSegment(tenantId)}/` };
  }

  /** All of a tenant's job workspaces; `jobId` narrows it to one job's. */
  workspaces(tenantId: string, jobId?: string): Place {
    return { container: ContainerNames.workspaces, prefix: `${pathSegment(tenantId)}/${jobId === undefined ? "" : `${pathSegment(jobId)}/`}` };
  }

  /** The URI of a place (a folder, with its trailing `/`). */
  uri(place: Place): string {
    const base = this.accountUrl.href.replace(/\/+$/, "");
    return `${base}/${place.container}/${place.prefix.split("/").map(encodeURIComponent).join("/")}`;
  }

  allowlistFor(tenantId: string): Allowlist {
    return [...this.allowlists.shared, ...(this.allowlists.perTenant[tenantId] ?? [])];
  }

  /** The blob a URI names, parsed strictly; undefined for a URI outside the account. */
  locate(uri: string): BlobLocation | undefined {
    return locateBlob(parseRefPath(uri).url, this.accountUrl);
  }

  /**
   * Throws unless `uri` may be used so by `tenantId`'s job `jobId`: reads from the tenant's
   * inputs, outputs or workspaces (or an https URL on its allowlist); writes to its outputs, or to
   * the job's own workspace (`jobId` given). Intake passes no job: outputs only.
   */
  check(uri: string, use: RefUse, tenantId: string, jobId?: string): BlobLocation | undefined {
    const location = this.locate(uri);
    if (!location) {
      if (use === RefUse.write) throw outside(`Outputs are written to the tenant's places in the storage account only, not ${new URL(uri).origin}`);
      if (!isAllowed(new URL(uri), this.allowlistFor(tenantId)))
        throw new RefError(RefErrorCode.notAllowed, `Input ${uri} is neither in tenant ${tenantId}'s places nor on its input allowlist`);
      return undefined;
    }
    const places =
      use === RefUse.read
        ? [this.inputs(tenantId), this.outputs(tenantId), this.workspaces(tenantId)]
        : [this.outputs(tenantId), ...(jobId === undefined ? [] : [this.workspaces(tenantId, jobId)])];
    if (!places.some((p) => location.container === p.container && location.name.startsWith(p.prefix))) {
      const where = places.map((p) => `${p.container}/${p.prefix}`).join(", ");
      throw outside(`${uri} is outside tenant ${tenantId}'s places for ${use === RefUse.read ? "reading" : "writing"} (${where})`);
    }
    return location;
  }
}
