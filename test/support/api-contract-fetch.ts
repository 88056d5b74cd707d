/**
 * Holds every answer a test receives from one app to the OpenAPI document it serves: wraps
 * `fetch` so each response from `baseUrl` goes through {@link OpenApiChecker} before the test
 * sees it, and a departure fails the request with the reasons.
 */
import { OpenApiChecker } from "./openapi-check.js";

export class ContractViolation extends Error {
  override readonly name = "ContractViolation";
}

/** Installs the check for `baseUrl`; the function it returns removes it. */
export async function checkAnswersFrom(baseUrl: string): Promise<{ checker: OpenApiChecker; uninstall: () => void }> {
  const original = globalThis.fetch;
  const served = await original(`${baseUrl}/v1/openapi.json`);
  if (served.status !== 200) throw new ContractViolation(`GET /v1/openapi.json answered ${served.status} without a key`);
  const checker = new OpenApiChecker((await served.json()) as never);
  const wrapped: typeof fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    // Only the API's routes: devhost's own (the bus the scripted worker long-polls) pass untouched.
    if (!url.startsWith(baseUrl) || !checker.route(new URL(url).pathname)) return response;
    const method = init?.method ?? (typeof input === "object" && "method" in input ? input.method : "GET");
    const problems = checker.problems({
      method: method.toUpperCase(),
      url: url.slice(baseUrl.length) || "/",
      status: response.status,
      contentType: response.headers.get("content-type"),
      text: method.toUpperCase() === "HEAD" ? "" : await response.clone().text(),
    });
    if (problems.length > 0) throw new ContractViolation(`the answer departs from the OpenAPI document:\n${problems.join("\n")}`);
    return response;
  };
  globalThis.fetch = wrapped;
  return {
    checker,
    uninstall: () => {
      if (globalThis.fetch === wrapped) globalThis.fetch = original;
    },
  };
}
