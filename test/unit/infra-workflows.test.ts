import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { ephemeralWorkflowProblems, parseWorkflow, pushWorkflowProblems } from "../support/workflow-checks.js";

const workflows = join(packageRoot, ".github", "workflows");
const fixtures = join(packageRoot, "test", "fixtures", "infra", "workflows");
const read = (dir: string, name: string) => parseWorkflow(readFileSync(join(dir, name), "utf8"));

describe("GitHub workflows", () => {
  it("azure-dev.yml: on push to main, npm ci and npm test, then azd provision and deploy with OIDC", () => {
    expect(pushWorkflowProblems("azure-dev.yml", read(workflows, "azure-dev.yml"))).toEqual([]);
  });

  it("ephemeral.yml: started by hand, deploys, smoke-tests, and always tears down", () => {
    expect(ephemeralWorkflowProblems("ephemeral.yml", read(workflows, "ephemeral.yml"))).toEqual([]);
  });

  it("the smoke test the ephemeral workflow runs exists", () => {
    expect(readFileSync(join(packageRoot, "scripts", "smoke-test.mjs"), "utf8")).toMatch(/\/v1\/commands/);
  });

  it("rejects a push workflow with a third-party login, secrets, the wrong branch and the wrong order", () => {
    expect(pushWorkflowProblems("push-bad.yml", read(fixtures, "push-bad.yml"))).toEqual([
      "push-bad.yml: uses 'azure/login@v2', which is not an allowed action",
      "push-bad.yml: needs permissions id-token: write for OIDC",
      "push-bad.yml: no 'azd auth login --federated-credential-provider github' step",
      "push-bad.yml: AZURE_CLIENT_ID is not taken from the repository variables",
      "push-bad.yml: AZURE_TENANT_ID is not taken from the repository variables",
      "push-bad.yml: AZURE_SUBSCRIPTION_ID is not taken from the repository variables",
      "push-bad.yml: does not run on push to main",
      "push-bad.yml: no step runs azd deploy",
    ]);
  });

  it("rejects an ephemeral workflow that is not manual, pins nothing and tears down only on success", () => {
    expect(ephemeralWorkflowProblems("ephemeral-bad.yml", read(fixtures, "ephemeral-bad.yml"))).toEqual([
      "ephemeral-bad.yml: 'actions/checkout' is not pinned to a version",
      "ephemeral-bad.yml: is not started manually (workflow_dispatch)",
      "ephemeral-bad.yml: the teardown step must run with if: always()",
    ]);
  });

  it("rejects text that is not YAML", () => {
    expect(() => read(fixtures, "invalid.yml")).toThrow();
  });
});
