import type { CapturedApp, CapturedFunction } from "../loader.js";
import { compareTemplates, RouteTemplate } from "./route-template.js";

export interface HttpRoute {
  fn: CapturedFunction;
  template: RouteTemplate;
  /** Upper-case methods; undefined = every method. */
  methods?: string[];
}

export type RouteLookup =
  { kind: "found"; route: HttpRoute; params: Record<string, string> } | { kind: "methodNotAllowed"; allowed: string[] } | { kind: "notFound" };

/** The app's HTTP-triggered functions, most specific template first. */
export class Router {
  readonly routes: HttpRoute[];

  constructor(app: CapturedApp, routePrefix: string) {
    const prefix = routePrefix.replace(/^\/+|\/+$/g, "");
    this.routes = [...app.functions.values()]
      .filter((fn) => fn.trigger.binding.type === "httpTrigger")
      .map((fn) => {
        const binding = fn.trigger.binding as { route?: string; methods?: string[] };
        const route = (binding.route ?? fn.name).replace(/^\/+/, "");
        const template = new RouteTemplate(prefix === "" ? route : `${prefix}/${route}`);
        const methods = binding.methods?.map((m) => m.toUpperCase());
        return { fn, template, ...(methods && methods.length > 0 ? { methods } : {}) };
      })
      .sort((a, b) => compareTemplates(a.template, b.template));
  }

  lookup(method: string, path: string): RouteLookup {
    const segments = pathSegments(path);
    if (!segments) return { kind: "notFound" };
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = route.template.match(segments);
      if (!params) continue;
      if (!route.methods || route.methods.includes(method.toUpperCase())) return { kind: "found", route, params };
      route.methods.forEach((m) => allowed.add(m));
    }
    return allowed.size > 0 ? { kind: "methodNotAllowed", allowed: [...allowed] } : { kind: "notFound" };
  }
}

/** Decoded path segments without empty ones at either end; undefined when the path is not valid percent-encoding. */
export function pathSegments(path: string): string[] | undefined {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  try {
    return trimmed.split("/").map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}
