/**
 * Checks on the GitHub Actions workflows: they parse, use only the actions they need, and run
 * the steps the deployment depends on in the right order.
 */
import { parse } from "yaml";

/** Actions the workflows may use (any version): checkout, setup-node and the azd installer. */
export const allowedActions = ["actions/checkout", "actions/setup-node", "azure/setup-azd"];

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
}

interface Job {
  steps?: Step[];
  permissions?: Record<string, string>;
  env?: Record<string, string>;
}

export interface Workflow {
  on?: Record<string, unknown> | string | string[];
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs?: Record<string, Job>;
}

/** Parses a workflow; throws on invalid YAML or a document that is not a workflow. */
export function parseWorkflow(text: string): Workflow {
  const doc = parse(text) as unknown;
  if (doc === null || typeof doc !== "object" || !("jobs" in doc)) throw new Error("not a workflow: no jobs");
  return doc as Workflow;
}

function steps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
}

function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on;
  return Object.keys(on ?? {});
}

/** Index of the first step whose `run` matches, or -1. */
function stepIndex(all: Step[], pattern: RegExp): number {
  return all.findIndex((step) => step.run !== undefined && pattern.test(step.run));
}

function canMintOidcTokens(workflow: Workflow): boolean {
  const jobs = Object.values(workflow.jobs ?? {});
  return workflow.permissions?.["id-token"] === "write" || (jobs.length > 0 && jobs.every((j) => j.permissions?.["id-token"] === "write"));
}

/** Problems common to both workflows: actions and the federated azd login. */
export function commonProblems(name: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  for (const step of steps(workflow)) {
    if (step.uses === undefined) continue;
    const action = step.uses.split("@")[0]!.toLowerCase();
    if (!allowedActions.includes(action)) problems.push(`${name}: uses '${step.uses}', which is not an allowed action`);
    if (!step.uses.includes("@")) problems.push(`${name}: '${step.uses}' is not pinned to a version`);
  }
  if (!canMintOidcTokens(workflow)) problems.push(`${name}: needs permissions id-token: write for OIDC`);
  const all = steps(workflow);
  if (stepIndex(all, /azd auth login[^\n]*--federated-credential-provider\s+"?github"?/) < 0) {
    problems.push(`${name}: no 'azd auth login --federated-credential-provider github' step`);
  }
  const text = JSON.stringify(workflow);
  for (const variable of ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID"]) {
    if (!text.includes(`vars.${variable}`)) problems.push(`${name}: ${variable} is not taken from the repository variables`);
  }
  return problems;
}

/** The push workflow: on push to main, npm ci and npm test, then azd provision and azd deploy. */
export function pushWorkflowProblems(name: string, workflow: Workflow): string[] {
  const problems = commonProblems(name, workflow);
  const push = (typeof workflow.on === "object" && !Array.isArray(workflow.on) ? workflow.on["push"] : undefined) as { branches?: string[] } | undefined;
  if (!push?.branches?.includes("main")) problems.push(`${name}: does not run on push to main`);
  const all = steps(workflow);
  const order = [/\bnpm ci\b/, /\bnpm test\b/, /\bazd provision\b/, /\bazd deploy\b/].map((p) => [p, stepIndex(all, p)] as const);
  for (const [pattern, index] of order) if (index < 0) problems.push(`${name}: no step runs ${pattern.source.replace(/\\b/g, "")}`);
  const indices = order.map(([, index]) => index);
  if (indices.every((i) => i >= 0) && indices.some((i, k) => k > 0 && i < indices[k - 1]!)) {
    problems.push(`${name}: steps must run npm ci, npm test, azd provision, azd deploy in that order`);
  }
  return problems;
}

/** The manual ephemeral workflow: deploy, smoke test, and always tear down. */
export function ephemeralWorkflowProblems(name: string, workflow: Workflow): string[] {
  const problems = commonProblems(name, workflow);
  if (!triggers(workflow).includes("workflow_dispatch")) problems.push(`${name}: is not started manually (workflow_dispatch)`);
  const all = steps(workflow);
  const deploy = stepIndex(all, /\bazd (up|deploy)\b/);
  const smoke = stepIndex(all, /\bnode scripts\/smoke-test\.mjs\b/);
  const down = stepIndex(all, /\bazd down\b[^\n]*--purge[^\n]*--force|\bazd down\b[^\n]*--force[^\n]*--purge/);
  if (deploy < 0) problems.push(`${name}: deploys nothing (no azd up / azd deploy)`);
  if (smoke < 0) problems.push(`${name}: runs no smoke test (node scripts/smoke-test.mjs)`);
  if (down < 0) problems.push(`${name}: never tears down with 'azd down --purge --force'`);
  else if (!/^\s*(\$\{\{\s*)?always\(\)(\s*\}\})?\s*$/.test(all[down]!.if ?? "")) {
    problems.push(`${name}: the teardown step must run with if: always()`);
  }
  if (deploy >= 0 && smoke >= 0 && down >= 0 && !(deploy < smoke && smoke < down)) {
    problems.push(`${name}: must deploy, then smoke test, then tear down`);
  }
  return problems;
}
