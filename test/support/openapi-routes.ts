/** Which registered HTTP routes the OpenAPI document leaves out. */
export interface RegisteredRoute {
  /** The Functions route template, e.g. `v1/jobs/{job_id}`. */
  route: string;
  methods: string[];
}

/**
 * Routes the document does not describe on purpose: the web console's pages (`console/...`) are
 * HTML for a browser, not part of the API a client is generated from.
 */
export const undocumentedRoutes = [/^console(\/|$)/];

/** One line per registered route and method missing from `paths`. */
export function routeCoverageProblems(registered: readonly RegisteredRoute[], paths: Record<string, Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const { route, methods } of registered) {
    if (undocumentedRoutes.some((pattern) => pattern.test(route))) continue;
    // Functions constraints such as {job_id:guid} or {rest?} are not OpenAPI's: keep the name.
    const path = `/${route.replace(/\{([^}:?]+)[^}]*\}/g, "{$1}")}`;
    const operations = paths[path];
    for (const method of methods) {
      if (!operations?.[method.toLowerCase()]) problems.push(`${method.toUpperCase()} ${path} is served but not in the OpenAPI document`);
    }
  }
  return problems;
}
