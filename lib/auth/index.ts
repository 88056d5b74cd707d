export { authorize } from "./authorize.js";
export { apiKeyHash } from "./api-keys.js";
export { AllTenants, CallerKind, callerLabel, mayUseTenant, type Caller } from "./caller.js";
export { apiKeyHeader, clientPrincipalHeader, forbiddenTenant } from "./errors.js";
export { authSettings, loadAuthSettings } from "./settings.js";
