import { useEffect, useState } from "preact/hooks";
import { onUnauthorized, type ApiProblem } from "./api.js";
import { devhostKey } from "./credentials.js";
import { DevhostPage } from "./devhost-page.js";
import { JobPage } from "./job-page.js";
import { JobsPage } from "./jobs-page.js";
import { base, Link, usePath } from "./router.js";
import { SignIn } from "./sign-in.js";

export function App() {
  const path = usePath();
  const [refused, setRefused] = useState<ApiProblem | undefined>(undefined);
  // Bumped after a sign-in, so the page asks again with the new credential.
  const [generation, setGeneration] = useState(0);
  useEffect(() => onUnauthorized((problem) => setRefused(problem)), []);

  const jobMatch = /^jobs\/(.+)$/.exec(path);
  const page = refused ? (
    <SignIn
      problem={refused}
      onSignedIn={() => {
        setRefused(undefined);
        setGeneration((n) => n + 1);
      }}
    />
  ) : jobMatch ? (
    <JobPage key={`${jobMatch[1]}:${generation}`} jobId={jobMatch[1]!} />
  ) : path === "devhost" ? (
    <DevhostPage key={generation} />
  ) : (
    <JobsPage key={generation} />
  );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Lucius</span>
        <nav aria-label="Console">
          <Link href={base} aria-current={path === "" || jobMatch ? "page" : undefined}>
            Jobs
          </Link>
          {devhostKey() !== null && (
            <Link href={`${base}devhost`} aria-current={path === "devhost" ? "page" : undefined}>
              Dead letters &amp; metrics
            </Link>
          )}
          <span class="muted">Review queue: none (review steps do not exist yet)</span>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
