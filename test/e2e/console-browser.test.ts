// The web console in a real Chromium against devhost: `npm start`'s printed link with the
// reference workers (OCR, EMBEDDING, SIS), and an in-process devhost with the scripted worker for
// jobs that must stay held (cancel, a refused action) or dead-letter a reply.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../../devhost/azurite.js";
import { packageMainFiles } from "../../devhost/cli-args.js";
import { consoleLink } from "../../lib/console/link.js";
import { packageRoot } from "../../lib/paths.js";
import { withWorkerEntries } from "../../workers/entries.js";
import { launchChromium, recordedPage, seriousViolations, type PageRecord } from "../support/browser.js";
import { spawnDevhost } from "../support/devhost-child.js";
import { startLucius, type LuciusUnderTest } from "../support/lucius-devhost.js";
import { runLucius, sampleImage } from "./cli-harness.js";

/** Generous: two devhosts, OCR and a browser share a loaded 2-core machine. */
const slow = { timeout: 120_000 };
/** A whole OCR → EMBEDDING → SIS job (the first OCR loads its engine). */
const jobRun = { timeout: 300_000 };
const tag = randomBytes(4).toString("hex");

let browser: Browser;
let child: { process: ChildProcess; url: string; link: string; key: string; storage: string };
let lucius: LuciusUnderTest;

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, LUCIUS_TABLE_PREFIX: `console${tag}` };
  // No configured keys: devhost makes its own and prints the console link with it, as under `npm start`.
  delete env.LUCIUS_API_KEYS;
  // The files `npm start` serves: the app and the reference workers (named, since the cwd is elsewhere).
  const appFiles = withWorkerEntries(packageMainFiles(packageRoot), packageRoot);
  // Its own in-memory Azurite: devhost's Service Bus lives in storage, and the in-process devhost's
  // scripted worker must not take this one's directives.
  const args = ["--port", "0", "--azurite", "memory", "--task-hub", `console${tag}`, "--app", appFiles.join(",")];
  args.push("--host-json", join(packageRoot, "host.json"), "--quiet");
  const [started, inProcess, launched] = await Promise.all([
    spawnDevhost(args, {
      cwd: mkdtempSync(join(tmpdir(), "lucius-console-")),
      env,
      track: (c) => (child = { process: c, url: "", link: "", key: "", storage: "" }),
    }),
    startLucius(),
    launchChromium(),
  ]);
  lucius = inProcess;
  browser = launched;
  const link = /\[devhost\] console: (\S+)/.exec(started.output())?.[1];
  if (!link) throw new Error(`devhost printed no console link:\n${started.output()}`);
  const key = new URLSearchParams(new URL(link).hash.slice(1)).get("key");
  if (!key) throw new Error(`the console link carries no key: ${link}`);
  const ports = /in-memory Azurite \(pid \d+; blob (\d+), queue (\d+), table (\d+)\)/.exec(started.output());
  if (!ports) throw new Error(`devhost printed no Azurite ports:\n${started.output()}`);
  const endpoint = (kind: string, port: string) => `${kind}Endpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
  const storage = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};${endpoint("Blob", ports[1]!)}${endpoint("Queue", ports[2]!)}${endpoint("Table", ports[3]!)}`;
  child = { process: started.process, url: started.url, link, key, storage };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await lucius?.stop();
  if (child?.process && child.process.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.process.once("exit", () => resolve());
      child.process.kill("SIGTERM");
    });
  }
});

/** Origins the page asked anything of. */
const origins = (record: PageRecord) => [...new Set(record.requests.map((url) => new URL(url).origin))];

/** The only console error a refused request may leave: Chromium's own note of the status. */
const unexpectedErrors = (record: PageRecord, status?: number) =>
  record.consoleErrors.filter((text) => status === undefined || !text.includes(`the server responded with a status of ${status}`));

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

/** Submits the sample invoice through the API (the CLI uploads it) under `tenant`; returns the job id. */
async function submitInvoice(tenant: string): Promise<string> {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), NO_COLOR: "1", LUCIUS_API_URL: child.url, LUCIUS_API_KEY: child.key };
  const run = await runLucius(["submit", sampleImage, "--request-type", "OCR->EMBEDDING->SIS", "--tenant", tenant, "--storage", child.storage, "--json"], env);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { job_id: string }).job_id;
}

async function childJob(jobId: string): Promise<unknown> {
  return (await fetch(`${child.url}/v1/jobs/${jobId}`, { headers: { "x-api-key": child.key } })).json();
}

/** The console of the in-process devhost, signed in with its key (and devhost's key). */
async function openInProcess(path = ""): Promise<PageRecord & { context: { close(): Promise<void> } }> {
  const record = await recordedPage(browser);
  const link = consoleLink(lucius.url, { apiKey: lucius.apiKey, devhostKey: lucius.host.key });
  const [base, fragment] = link.split("#");
  await record.page.goto(`${base}${path}#${fragment}`);
  return record;
}

describe("the console under npm start, with the reference workers", () => {
  it("opens from the printed link, keeps the key out of every URL, shows a submitted job reach SUCCEEDED without a reload, and its page shows three steps, the OCR text and the amounts", async () => {
    const tenant = `console-${tag}`;
    const record = await recordedPage(browser);
    const { page } = record;
    await page.goto(child.link);
    await page.getByRole("heading", { name: "Jobs" }).waitFor();
    // The fragment is moved into sessionStorage and cleared from the address bar.
    expect(page.url()).toBe(`${child.url}/console/`);
    expect(
      await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem("lucius.apiKey")),
    ).toBe(child.key);

    await page.getByLabel("Tenant").fill(tenant);
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByText(`No jobs for tenant ${tenant}`).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    const jobId = await submitInvoice(tenant);
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor(slow);
    await row
      .locator('[data-state="SUCCEEDED"]')
      .waitFor(jobRun)
      .catch(async (error: unknown) => {
        throw new Error(`the row never showed SUCCEEDED; the API says ${JSON.stringify(await childJob(jobId))}`, { cause: error });
      });
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await expectAccessible(page);

    await row.getByRole("link", { name: jobId }).click();
    await page.locator('article[data-job-state="SUCCEEDED"]').waitFor(slow);
    await page.locator(".amounts").waitFor(slow);
    const steps = page.locator("li.step");
    expect(
      await steps.evaluateAll((items) =>
        items.map((li) => [li.getAttribute("data-step-id"), li.getAttribute("data-attempts"), li.querySelectorAll("[data-attempt]").length]),
      ),
    ).toEqual([
      ["ocr", "1", 1],
      ["embedding", "1", 1],
      ["sis", "1", 1],
    ]);
    await expect.poll(() => page.locator(".ocr-text").textContent()).toContain("INVOICE No. 2026-0042");
    expect(await page.locator(".amounts").textContent()).toContain("$1,234.56 (USD 1234.56)");
    expect(await page.locator('[data-mark="ack"]').count()).toBe(3);
    await expectAccessible(page);
    // `npm run screenshot:console` sets this to refresh the README's picture.
    if (process.env.LUCIUS_CONSOLE_SCREENSHOT) {
      mkdirSync(dirname(process.env.LUCIUS_CONSOLE_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: process.env.LUCIUS_CONSOLE_SCREENSHOT, fullPage: true });
    }

    expect(origins(record)).toEqual([child.url]);
    expect(record.requests.filter((url) => url.includes(child.key))).toEqual([]);
    expect(record.consoleErrors).toEqual([]);
    await record.context.close();
  }, 480_000);

  it("loads under 200 KB compressed at first, and only from its own origin", async () => {
    const record = await recordedPage(browser);
    await record.page.goto(child.link);
    await record.page.getByRole("heading", { name: "Jobs" }).waitFor();
    await record.page.waitForLoadState("networkidle");
    const assets = [...record.gzipBytes].filter(([url]) => new URL(url).pathname.startsWith("/console/"));
    const total = assets.reduce((sum, [, bytes]) => sum + bytes, 0);
    console.log(
      `console first load: ${assets.map(([url, bytes]) => `${new URL(url).pathname} ${bytes} B`).join(", ")}; ${(total / 1024).toFixed(1)} KB gzipped in all`,
    );
    expect(assets.map(([url]) => new URL(url).pathname).sort()).toEqual(["/console/", "/console/app.css", "/console/app.js"]);
    expect(total).toBeLessThan(200 * 1024);
    expect(origins(record)).toEqual([child.url]);
    await record.context.close();
  }, 60_000);
});

describe("the console against jobs the scripted worker holds", () => {
  /** A job the scripted worker holds in OCR (ACKed, never answered), open on its page as RUNNING. */
  async function openHeldJob() {
    const { job_id } = await lucius.submit("OCR->EMBEDDING->SIS", { ocr: [{ do: "hold" }] });
    await lucius.waitFor(job_id, (job) => job.steps?.[0]?.state === "ACKED", "held in OCR", 60_000);
    const record = await openInProcess(`jobs/${job_id}`);
    await record.page.locator('article[data-job-state="RUNNING"]').waitFor(slow);
    return { job_id, record };
  }

  it("cancels a job held by a silent worker from its page, after confirmation, and shows CANCELLED", async () => {
    const { job_id, record } = await openHeldJob();
    const { page } = record;
    await expectAccessible(page);
    await page.getByRole("button", { name: "Cancel" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel job" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Yes, cancel" }).click();
    await page.locator('article[data-job-state="CANCELLED"]').waitFor(slow);
    expect((await lucius.job(job_id)).state).toBe("CANCELLED");
    expect(origins(record)).toEqual([lucius.url]);
    expect(record.consoleErrors).toEqual([]);
    await record.context.close();
  }, 180_000);

  it("shows the API's problem message when it refuses an action (the job was paused meanwhile)", async () => {
    const { job_id, record } = await openHeldJob();
    const { page } = record;
    await page.getByRole("button", { name: "Pause" }).click();
    const dialog = page.getByRole("dialog", { name: "Pause job" });
    await dialog.waitFor();
    // Someone else pauses it while the dialog is open: the page's pause is now refused.
    expect((await lucius.control(job_id, "pause")).status).toBe(202);
    await dialog.getByRole("button", { name: "Yes, pause" }).click();
    const refusal = page.locator('[data-refused="true"]');
    await refusal.waitFor(slow);
    expect(await refusal.textContent()).toBe(
      `409 Job state does not allow this: Cannot pause job ${job_id} in state PAUSED; only a job that is RUNNING can be`,
    );
    expect(unexpectedErrors(record, 409)).toEqual([]);
    expect((await lucius.control(job_id, "cancel")).status).toBe(202);
    await record.context.close();
  }, 180_000);

  it("lists devhost's dead letters with their reasons and the figures lucius stats shows", async () => {
    const { job_id } = await lucius.submit("OCR", { ocr: [{ do: "garbage" }] });
    await lucius.waitFor(job_id, (job) => job.state === "SUCCEEDED", "SUCCEEDED", 60_000);
    const record = await openInProcess();
    const { page } = record;
    await page.getByRole("link", { name: "Dead letters & metrics" }).click();
    await page.getByRole("heading", { name: "Dead letters and metrics" }).waitFor();
    const letter = page.locator("table.letters tbody tr").first();
    await letter.waitFor(slow);
    expect((await letter.locator("td").nth(4).textContent())?.trim()).not.toBe("");
    await page.locator("table.metrics tbody tr", { hasText: "lucius." }).first().waitFor(slow);
    await expectAccessible(page);
    expect(record.consoleErrors).toEqual([]);
    await record.context.close();
  }, 180_000);

  it("shows a sign-in prompt, not a broken page, for a missing or a wrong key; a right key then opens the jobs", async () => {
    for (const fragment of ["", "#key=not-a-key"]) {
      const record = await recordedPage(browser);
      const { page } = record;
      await page.goto(`${lucius.url}/console/${fragment}`);
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      expect(await page.getByRole("alert").textContent()).toContain(fragment === "" ? "needs a credential" : "refused this tab's key");
      await expectAccessible(page);
      await page.getByLabel("API key").fill(lucius.apiKey);
      await page.getByRole("button", { name: "Use this key" }).click();
      await page.getByRole("heading", { name: "Jobs" }).waitFor();
      expect(unexpectedErrors(record, 401)).toEqual([]);
      expect(record.requests.filter((url) => url.includes("not-a-key") || url.includes(lucius.apiKey))).toEqual([]);
      await record.context.close();
    }
  }, 90_000);
});
