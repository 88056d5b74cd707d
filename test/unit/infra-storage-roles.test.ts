import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContainerNames } from "../../lib/config/names.js";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { arrayItems, objectEntries, stringLiteral } from "../support/bicep-text.js";

const main = bicepFile(join(packageRoot, "infra", "main.bicep"));
const storageModule = bicepFile(join(packageRoot, "infra", "modules", "storage.bicep"));
const roleIds = objectEntries(bicepFile(join(packageRoot, "infra", "modules", "role-ids.bicep")).vars.get("roleIds")!.value);
const roleName = new Map([...roleIds.keys()].map((name) => [`roleIds.${name}` as string, name]));
const text = (name: string) => main.vars.get(name)?.value ?? "";
/** A main.bicep string var's value, or the literal itself. */
const resolve = (key: string) => {
  const ref = /^\$\{(\w+)\}$/.exec(key);
  return ref ? (stringLiteral(text(ref[1]!)) ?? key) : key;
};

describe("least privilege on the storage account", () => {
  it("gives the workers no account-wide storage role", () => {
    expect(text("storageGrants")).not.toMatch(/workersPrincipal/);
    expect(main.modules.get("storage")!.params.get("roleAssignments")).toBe("storageGrants");
  });

  /** Container → role names the principal holds there, from main.bicep's containerGrants. */
  const containerRoles = (principal: string) => {
    const grants = objectEntries(text("containerGrants"));
    const expand = (item: string) => (item === "orchestratorOutputsReader" ? text("orchestratorOutputsReader") : item);
    return Object.fromEntries(
      [...grants].flatMap(([key, value]) => {
        const items = arrayItems(value)
          .map(expand)
          .filter((item) => item.startsWith(`union(${principal},`));
        expect(items.length, key).toBeLessThanOrEqual(1);
        return items.map((item) => [resolve(key), roleName.get(/roleDefinitionIdOrName:\s*([\w.]+)/.exec(item)![1]!)]);
      }),
    );
  };

  it("gives the workers exactly: read inputs, write workspaces and outputs, their host's containers, read their own package", () => {
    const roles = containerRoles("workersPrincipal");
    expect(roles).toEqual({
      [ContainerNames.inputs]: "storageBlobDataReader",
      [ContainerNames.workspaces]: "storageBlobDataContributor",
      [ContainerNames.outputs]: "storageBlobDataContributor",
      "azure-webjobs-hosts": "storageBlobDataOwner",
      "azure-webjobs-secrets": "storageBlobDataOwner",
      [stringLiteral(text("workersPackageContainer"))!]: "storageBlobDataReader",
    });
    expect(roles).not.toHaveProperty(stringLiteral(text("orchestratorPackageContainer"))!);
  });

  it("lets the orchestrator read, never write, workspaces and outputs (GET /v1/jobs/{job_id}/outputs), and nothing else per container", () => {
    expect(containerRoles("orchestratorPrincipal")).toEqual({
      [ContainerNames.workspaces]: "storageBlobDataReader",
      [ContainerNames.outputs]: "storageBlobDataReader",
    });
  });

  it("assigns those roles on the containers themselves, which Bicep creates", () => {
    const storage = main.modules.get("storage")!;
    expect(storage.params.get("containerRoleAssignments")).toBe("containerGrants");
    expect(storage.params.get("hostContainers")).toBe("hostContainers");
    expect(arrayItems(text("hostContainers")).map((c) => stringLiteral(c))).toEqual(["azure-webjobs-hosts", "azure-webjobs-secrets"]);
    const account = [...storageModule.modules.values()].find((m) => m.path.includes("avm/res/storage/storage-account:"))!;
    const containers = objectEntries(account.params.get("blobServices")!).get("containers")!.replace(/\s+/g, " ");
    expect(containers).toContain("concat(dataContainers, deploymentContainers, hostContainers)");
    expect(containers).toContain("roleAssignments: containerRoleAssignments[?container] ?? []");
  });

  it("keeps the orchestrator's blob role away from the documents and the workers' package (ABAC condition)", () => {
    const grants = arrayItems(
      text("storageGrants")
        .replace(/^concat\(/, "[")
        .replace(/\)$/, "]"),
    );
    const orchestratorBlob = grants.filter((g) => /orchestratorPrincipal/.test(g) && /storageBlobData/.test(g));
    expect(orchestratorBlob).toHaveLength(1);
    expect(orchestratorBlob[0]).toMatch(/condition: orchestratorBlobCondition/);
    expect(orchestratorBlob[0]).toMatch(/conditionVersion: '2.0'/);
    const condition = text("orchestratorBlobCondition");
    for (const action of ["read", "write", "add/action", "delete", "move/action"]) {
      expect(condition).toContain(`!(ActionMatches{\\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/${action}\\'})`);
    }
    expect(condition).toContain("OR (${orchestratorExcludedContainers})");
    expect(text("orchestratorExcludedContainers").replace(/\s+/g, " ")).toContain(
      "map(concat(dataContainers, [workersPackageContainer]), c => '@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals \\'${c}\\'')",
    );
    expect(arrayItems(text("dataContainers"))).toEqual(["'inputs'", "workspacesContainer", "'outputs'"]);
  });
});
