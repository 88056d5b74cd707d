import { AllTenants, CallerRole, reviewerAppRole, type Caller } from "./caller.js";

/** One claim of the principal App Service authentication injects. */
export interface PrincipalClaim {
  typ: string;
  val: string;
}

/** The decoded `x-ms-client-principal` header. */
export interface ClientPrincipal {
  auth_typ: string;
  name_typ?: string;
  role_typ?: string;
  claims: PrincipalClaim[];
}

/** How a principal's claims become tenants. */
export interface TenantMapping {
  /** Claim types whose values are read as tenant roles. @default the principal's `role_typ` and "roles" */
  claimTypes?: readonly string[];
  /** A value `<prefix><tenant_id>` grants that tenant; `<prefix>All` grants every tenant. @default "Tenant." */
  rolePrefix: string;
}

/** The header's content is not a principal App Service could have written. */
export class MalformedPrincipalError extends Error {
  override readonly name = "MalformedPrincipalError";
  readonly code = "MALFORMED_PRINCIPAL";
}

/** Far above any real principal (Entra caps a token's group and role claims), far below what could hurt. */
const maxHeaderLength = 64 * 1024;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

const isString = (value: unknown): value is string => typeof value === "string";

/** Decodes and shape-checks the header. @throws MalformedPrincipalError */
export function decodeClientPrincipal(header: string): ClientPrincipal {
  const text = header.trim();
  if (text.length === 0 || text.length > maxHeaderLength || text.length % 4 !== 0 || !base64.test(text)) {
    throw new MalformedPrincipalError("not base64");
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64").toString("utf8"));
  } catch {
    throw new MalformedPrincipalError("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new MalformedPrincipalError("not an object");
  const { auth_typ, name_typ, role_typ, claims } = value as Record<string, unknown>;
  if (!isString(auth_typ) || auth_typ === "") throw new MalformedPrincipalError("no auth_typ");
  if ((name_typ !== undefined && !isString(name_typ)) || (role_typ !== undefined && !isString(role_typ))) {
    throw new MalformedPrincipalError("name_typ or role_typ is not a string");
  }
  if (!Array.isArray(claims) || !claims.every((c) => typeof c === "object" && c !== null && isString(c.typ) && isString(c.val))) {
    throw new MalformedPrincipalError("claims is not an array of { typ, val } strings");
  }
  return {
    auth_typ,
    ...(name_typ !== undefined ? { name_typ } : {}),
    ...(role_typ !== undefined ? { role_typ } : {}),
    claims: (claims as PrincipalClaim[]).map(({ typ, val }) => ({ typ, val })),
  };
}

/** Claim types Entra ID uses for the caller's object id (user or service principal). */
const objectIdClaims = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];

/** The caller a principal stands for; a principal with no tenant role is a caller with no tenants. */
export function principalCaller(principal: ClientPrincipal, mapping: TenantMapping): Caller {
  const claimTypes = new Set(mapping.claimTypes ?? [principal.role_typ ?? "roles", "roles"]);
  const all = `${mapping.rolePrefix}All`;
  const tenants = new Set<string>();
  let everyTenant = false;
  let reviewer = false;
  for (const claim of principal.claims) {
    if (claimTypes.has(claim.typ) && claim.val === reviewerAppRole) reviewer = true;
    if (!claimTypes.has(claim.typ) || !claim.val.startsWith(mapping.rolePrefix)) continue;
    if (claim.val === all) everyTenant = true;
    else if (claim.val.length > mapping.rolePrefix.length) tenants.add(claim.val.slice(mapping.rolePrefix.length));
  }
  const claim = (types: readonly string[]) => principal.claims.find((c) => types.includes(c.typ) && c.val !== "")?.val;
  const id = claim(objectIdClaims) ?? claim([principal.name_typ ?? "name"]) ?? "unknown";
  return { kind: "entra", id, tenants: everyTenant ? AllTenants : tenants, ...(reviewer ? { roles: new Set([CallerRole.review]) } : {}) };
}
