// Debian's Chromium driven by playwright-core: never a browser download (.ci/run installs the
// package when it is missing).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
}

/** What a page did that a test checks afterwards: every request's URL, console errors, uncaught errors. */
export interface PageRecord {
  page: Page;
  requests: string[];
  consoleErrors: string[];
  /** Bodies of the responses the page received, gzip-compressed, by URL. */
  gzipBytes: Map<string, number>;
}

/** A fresh page (its own context, so its own sessionStorage) that records what it does. */
export async function recordedPage(browser: Browser): Promise<PageRecord & { context: BrowserContext }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const record = { page, context, requests: [] as string[], consoleErrors: [] as string[], gzipBytes: new Map<string, number>() };
  page.on("request", (request) => record.requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") record.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => record.consoleErrors.push(`uncaught: ${error.message}`));
  page.on("response", (response) => {
    void response.body().then(
      (body) => record.gzipBytes.set(response.url(), gzipSync(body, { level: 9 }).length),
      () => undefined,
    );
  });
  return record;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as { axe: { run: (context: unknown) => Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return (await page.axe.run(page.document)).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
