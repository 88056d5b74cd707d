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

/** Who is calling and which tenants' jobs it may see, submit and control. */
export interface Caller {
  kind: CallerKind;
  /** The principal's object id, or the API key's configured name; for logs, never a secret. */
  id: string;
  tenants: ReadonlySet<string> | typeof AllTenants;
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
