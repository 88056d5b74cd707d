export { authorize } from "./authorize.js";
export { apiKeyHash } from "./api-keys.js";
export { AllTenants, CallerKind, CallerRole, callerLabel, hasRole, mayUseTenant, reviewerAppRole, type Caller } from "./caller.js";
export { apiKeyHeader, clientPrincipalHeader, forbiddenRole, forbiddenTenant } from "./errors.js";
export { authSettings, loadAuthSettings } from "./settings.js";
