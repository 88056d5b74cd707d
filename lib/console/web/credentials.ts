// The caller's credentials live in sessionStorage only: gone with the tab, never in a URL path,
// a query string or a cookie of ours. In Azure, App Service authentication's own session cookie
// is the credential and nothing is stored here.

/** The fragment names lib/console/link.ts writes. */
const Fragment = { apiKey: "key", devhostKey: "devhost-key", tenant: "tenant" } as const;

const Stored = { apiKey: "lucius.apiKey", devhostKey: "lucius.devhostKey", tenant: "lucius.tenant" } as const;

/** The tenant the CLI uses when none is named. */
export const defaultTenant = "default";

/**
 * Moves credentials from the address bar's fragment (`npm start`'s link) into sessionStorage,
 * then clears the fragment, so the key is neither bookmarked nor shown nor kept in history.
 */
export function takeFragmentCredentials(): void {
  const hash = window.location.hash.replace(/^#/, "");
  if (hash === "") return;
  const params = new URLSearchParams(hash);
  const apiKey = params.get(Fragment.apiKey);
  const devhostKey = params.get(Fragment.devhostKey);
  const tenant = params.get(Fragment.tenant);
  if (apiKey) sessionStorage.setItem(Stored.apiKey, apiKey);
  if (devhostKey) sessionStorage.setItem(Stored.devhostKey, devhostKey);
  if (tenant) sessionStorage.setItem(Stored.tenant, tenant);
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
}

export const apiKey = (): string | null => sessionStorage.getItem(Stored.apiKey);
export const devhostKey = (): string | null => sessionStorage.getItem(Stored.devhostKey);
export const tenant = (): string => sessionStorage.getItem(Stored.tenant) ?? defaultTenant;

export function setApiKey(key: string): void {
  sessionStorage.setItem(Stored.apiKey, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(Stored.apiKey);
}

export function setTenant(id: string): void {
  sessionStorage.setItem(Stored.tenant, id);
}
