import { consoleBasePath } from "./static-assets.js";

/** The fragment parameters the page takes its credentials from (lib/console/web/credentials.ts reads the same names). */
export const ConsoleFragment = { apiKey: "key", devhostKey: "devhost-key", tenant: "tenant" } as const;

/**
 * The console's address with credentials in the fragment: a browser never sends the fragment
 * to the server, and the page moves it into sessionStorage and clears it from the address bar.
 * Without a key the page asks for one.
 */
export function consoleLink(
  baseUrl: string,
  credentials: { apiKey?: string | undefined; devhostKey?: string | undefined; tenant?: string | undefined },
): string {
  const fragment = new URLSearchParams();
  if (credentials.apiKey) fragment.set(ConsoleFragment.apiKey, credentials.apiKey);
  if (credentials.devhostKey) fragment.set(ConsoleFragment.devhostKey, credentials.devhostKey);
  if (credentials.tenant) fragment.set(ConsoleFragment.tenant, credentials.tenant);
  const text = fragment.toString();
  return `${baseUrl.replace(/\/+$/, "")}${consoleBasePath}${text ? `#${text}` : ""}`;
}
