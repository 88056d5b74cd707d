import { AppSettingNames, PlatformSettingNames } from "../config/names.js";
import { ConfigurationError } from "../config/settings.js";
import { parseApiKeys, type ApiKeyEntry } from "./api-keys.js";
import type { TenantMapping } from "./client-principal.js";

type Env = Record<string, string | undefined>;

/** Why the app believes `x-ms-client-principal`, if it does. */
export const PrincipalTrust = {
  /** Ignored: anyone could have written it. */
  none: "none",
  /** App Service authentication runs in front and strips client-supplied principal headers. */
  appService: "appService",
  /** Tests only (`LUCIUS_TRUST_CLIENT_PRINCIPAL=true`): whoever can reach the app can claim any tenant. */
  testSetting: "testSetting",
} as const;
export type PrincipalTrust = (typeof PrincipalTrust)[keyof typeof PrincipalTrust];

export interface AuthSettings {
  apiKeys: ApiKeyEntry[];
  principalTrust: PrincipalTrust;
  tenantMapping: TenantMapping;
}

/** @default "Tenant." */
export const defaultTenantRolePrefix = "Tenant.";

const isTrue = (value: string | undefined) => value?.trim().toLowerCase() === "true";

function principalTrust(env: Env): PrincipalTrust {
  const onAppService = (env[PlatformSettingNames.instanceId] ?? "") !== "";
  // App Service sets WEBSITE_AUTH_ENABLED when its authentication module runs in front of the app.
  if (onAppService && isTrue(env[PlatformSettingNames.authEnabled])) return PrincipalTrust.appService;
  if (isTrue(env[AppSettingNames.trustClientPrincipal])) {
    if (onAppService) {
      throw new ConfigurationError(
        `${AppSettingNames.trustClientPrincipal} is for tests; on App Service the principal is trusted only when App Service authentication is enabled`,
      );
    }
    return PrincipalTrust.testSetting;
  }
  return PrincipalTrust.none;
}

/** Reads the access-control settings. @throws ConfigurationError naming the bad setting */
export function loadAuthSettings(env: Env = process.env): AuthSettings {
  const claim = env[AppSettingNames.tenantClaim]?.trim();
  const prefix = env[AppSettingNames.tenantRolePrefix] ?? defaultTenantRolePrefix;
  if (prefix.trim() === "") throw new ConfigurationError(`${AppSettingNames.tenantRolePrefix} must not be empty`);
  return {
    apiKeys: parseApiKeys(env[AppSettingNames.apiKeys], AppSettingNames.apiKeys),
    principalTrust: principalTrust(env),
    tenantMapping: { rolePrefix: prefix, ...(claim ? { claimTypes: [claim] } : {}) },
  };
}

let cached: AuthSettings | undefined;

/** The process's settings, read once (the trigger files load them at start-up so a bad key list stops the app). */
export function authSettings(): AuthSettings {
  cached ??= loadAuthSettings();
  return cached;
}
