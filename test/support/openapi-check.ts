/**
 * Checks an HTTP answer against the OpenAPI document: the route and method must be described,
 * the status listed for them, the content type offered, and the body valid against that
 * response's schema. The e2e helpers run every answer they receive through it.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const documentKey = "lucius-openapi";

type Responses = Record<string, { content?: Record<string, { schema?: unknown }> }>;
type Paths = Record<string, Record<string, { responses: Responses }>>;

export interface Answer {
  method: string;
  /** Path and query, or a full URL. */
  url: string;
  status: number;
  contentType: string | null;
  /** The body text ("" when none). */
  text: string;
}

/** `#/...` refs made absolute into the document, so a response schema compiles on its own. */
function anchored(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(anchored);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string" && value.startsWith("#") ? documentKey + value : anchored(value),
    ]),
  );
}

export class OpenApiChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
  private readonly routes: Array<{ template: string; regex: RegExp; literal: boolean }>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly document: { paths: Paths }) {
    addFormats(this.ajv, ["uri", "date-time", "uuid"]);
    this.ajv.addSchema(document, documentKey);
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        literal: !template.includes("{"),
        regex: new RegExp(
          `^${template
            .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
            .replace(/\\?\{[^}]+\\?\}/g, "[^/]+")
            .replace(/\{[^}]+\}/g, "[^/]+")}$`,
        ),
      }))
      // A literal path wins over a template that also matches.
      .sort((a, b) => Number(b.literal) - Number(a.literal));
  }

  /** The documented path template a request path falls under, if any. */
  route(path: string): string | undefined {
    return this.routes.find((r) => r.regex.test(path))?.template;
  }

  /** Every way the answer departs from the document; empty when it conforms or its path is not the API's. */
  problems(answer: Answer): string[] {
    const path = new URL(answer.url, "http://x").pathname;
    const template = this.route(path);
    if (!template) return [];
    const what = `${answer.method} ${path} → ${answer.status}`;
    const operation = this.document.paths[template]![answer.method.toLowerCase()];
    let responses: Responses;
    let pointer: string;
    if (operation) {
      responses = operation.responses;
      pointer = `${template} ${answer.method.toLowerCase()}`;
    } else {
      // A method the route does not serve: the host's 404/405 problem document.
      if (answer.status !== 404 && answer.status !== 405) return [`${what}: ${answer.method} is not documented for ${template}`];
      responses = { [answer.status]: { content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } } };
      pointer = `problem`;
    }
    const response = responses[String(answer.status)] ?? responses["default"];
    if (!response) return [`${what}: status ${answer.status} is not documented for ${answer.method} ${template}`];
    const media = (answer.contentType ?? "").split(";")[0]!.trim();
    if (!response.content) return answer.text === "" ? [] : [`${what}: a body where the document describes none`];
    const content = response.content[media];
    if (!content) return [`${what}: content type '${media}' is not one of ${Object.keys(response.content).join(", ")}`];
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`${what}: the body is not JSON`];
    }
    const key = `${pointer} ${answer.status} ${media}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(anchored(content.schema ?? {}) as object);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${what}: body${e.instancePath} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  }
}
