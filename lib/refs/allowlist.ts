import { ConfigurationError } from "../config/settings.js";
import { AppSettingNames } from "../config/names.js";

/** One allowlist entry: an https origin (host may be `*.suffix`) and a path prefix. */
export interface AllowlistEntry {
  /** Lower-case host, without a leading `*.` when {@link wildcard} is set. */
  host: string;
  /** True for `*.example.com`: any subdomain of `host`, not `host` itself. */
  wildcard: boolean;
  port: string;
  /** Path prefix, always ending in `/` unless it is a full path. */
  pathPrefix: string;
}

export type Allowlist = readonly AllowlistEntry[];

/**
 * Parses `LUCIUS_INPUT_ALLOWLIST`: comma-separated `https://host[:port][/path]` prefixes.
 * Anything else (http, credentials, query strings, wildcards in the middle) is a configuration
 * error at start-up, never a silent widening.
 */
export function parseAllowlist(raw: string | undefined, setting: string = AppSettingNames.inputAllowlist): Allowlist {
  if (!raw || raw.trim() === "") return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const fail = (why: string): never => {
        throw new ConfigurationError(`${setting}: entry "${text}" ${why}`);
      };
      const wildcard = /^https:\/\/\*\./i.test(text);
      let url: URL;
      try {
        url = new URL(wildcard ? text.replace(/^https:\/\/\*\./i, "https://") : text);
      } catch {
        return fail("is not a URL");
      }
      if (url.protocol !== "https:") fail("must be an https URL");
      if (url.username || url.password) fail("must not carry credentials");
      if (url.search || url.hash) fail("must not have a query or fragment");
      if (url.hostname.includes("*")) fail("may only use a wildcard as its first label (https://*.example.com)");
      return { host: url.hostname.toLowerCase(), wildcard, port: url.port, pathPrefix: url.pathname };
    });
}

/** Whether `url` (already parsed) falls under an entry: https, same host (or subdomain), port and path prefix. */
export function isAllowed(url: URL, allowlist: Allowlist): boolean {
  if (url.protocol !== "https:" || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  return allowlist.some((entry) => {
    const hostMatches = entry.wildcard ? host.endsWith(`.${entry.host}`) : host === entry.host;
    if (!hostMatches || url.port !== entry.port) return false;
    const prefix = entry.pathPrefix;
    return prefix === "/" || url.pathname === prefix || url.pathname.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
  });
}
