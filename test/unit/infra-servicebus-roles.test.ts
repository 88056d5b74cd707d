// Flex Consumption scales a Service Bus trigger on its subscription's message count, which takes
// the Manage right: the apps' identities must hold Azure Service Bus Data Owner on the namespace.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../lib/paths.js";
import { bicepFile } from "../support/bicep-resolve.js";
import { objectEntries } from "../support/bicep-text.js";

const infra = join(packageRoot, "infra");
/** The built-in role "Azure Service Bus Data Owner" (Send, Listen, Manage). */
const dataOwnerRoleId = "090c5cfd-751d-490a-894a-3ce6f1109419";

describe("Service Bus roles", () => {
  const main = bicepFile(join(infra, "main.bicep"));
  const grants = main.vars.get("serviceBusGrants")!.value.replace(/\s+/g, " ");

  it("give both apps' identities Data Owner, by its built-in role id", () => {
    const roleIds = objectEntries(bicepFile(join(infra, "modules", "role-ids.bicep")).vars.get("roleIds")!.value);
    expect(roleIds.get("serviceBusDataOwner")).toBe(`'${dataOwnerRoleId}'`);
    expect(grants).toContain("map([orchestratorPrincipal, workersPrincipal], p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataOwner }))");
  });

  it("leave the deploying principal with Send and Listen only", () => {
    expect(grants).toContain("map(deployerPrincipals, p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataSender }))");
    expect(grants).toContain("map(deployerPrincipals, p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataReceiver }))");
    expect(grants.match(/serviceBusDataOwner/g)).toHaveLength(1);
  });

  it("are the namespace's role assignments", () => {
    expect(main.modules.get("serviceBus")!.params.get("roleAssignments")).toBe("serviceBusGrants");
  });
});
