/** How a caller proved who it is. */
export const CallerKind = {
  /** An Entra ID principal that App Service authentication validated (`x-ms-client-principal`). */
  entra: "entra",
  /** A configured API key (`x-api-key`). */
  apiKey: "apiKey",
} as const;
export type CallerKind = (typeof CallerKind)[keyof typeof CallerKind];

/** Every tenant, present and future. */
export const AllTenants = "*" as const;

/**
 * What a caller may do beyond submitting, reading and controlling its tenants' jobs (which
 * every caller may). An API key names its roles in `LUCIUS_API_KEYS`; an Entra principal has
 * the app role `Reviewer` for {@link CallerRole.review}.
 */
export const CallerRole = {
  /** Approve or reject a step awaiting review. */
  review: "review",
} as const;
export type CallerRole = (typeof CallerRole)[keyof typeof CallerRole];

/** The Entra app role that grants {@link CallerRole.review}. */
export const reviewerAppRole = "Reviewer";

/** Who is calling and which tenants' jobs it may see, submit and control. */
export interface Caller {
  kind: CallerKind;
  /** The principal's object id, or the API key's configured name; for logs, never a secret. */
  id: string;
  tenants: ReadonlySet<string> | typeof AllTenants;
  /** @default none: submit, read and control only */
  roles?: ReadonlySet<CallerRole>;
}

/** Whether `caller` holds `role`. */
export function hasRole(caller: Caller, role: CallerRole): boolean {
  return caller.roles?.has(role) ?? false;
}

/**
 * How the audit trail and telemetry name a caller: `apiKey:<key name>` or
 * `entra:<object id>`. Never a secret: an API key is named, not quoted.
 */
export function callerLabel(caller: Caller): string {
  return `${caller.kind}:${caller.id}`;
}

/** Whether `caller` may use `tenantId`; tenant ids compare exactly (no trimming, no case folding), as the ledger stores them. */
export function mayUseTenant(caller: Caller, tenantId: string): boolean {
  return caller.tenants === AllTenants || caller.tenants.has(tenantId);
}
