import { useState } from "preact/hooks";
import { problemText, type ApiProblem } from "./api.js";
import { apiKey, forgetApiKey, setApiKey } from "./credentials.js";

/**
 * Shown on a 401: an API key field (kept in sessionStorage for this tab only) and, where App
 * Service authentication is in front (the 401 offers Bearer), a sign-in with Entra ID.
 */
export function SignIn({ problem, onSignedIn }: { problem: ApiProblem; onSignedIn: () => void }) {
  const [key, setKey] = useState("");
  const hadKey = apiKey() !== null;
  const entra = /\bBearer\b/i.test(problem.challenge ?? "");
  return (
    <section class="sign-in" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <p role="alert">
        {hadKey ? "The API refused this tab's key. " : "The console needs a credential. "}({problemText(problem.problem, problem.status)})
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim() === "") return;
          setApiKey(key.trim());
          onSignedIn();
        }}
      >
        <label>
          API key
          <input type="password" name="api-key" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} autoComplete="off" required />
        </label>
        <button type="submit">Use this key</button>
        {hadKey && (
          <button
            type="button"
            onClick={() => {
              forgetApiKey();
              onSignedIn();
            }}
          >
            Forget the key
          </button>
        )}
      </form>
      <p class="muted">The key stays in this tab's session storage and is sent only to this app, as x-api-key.</p>
      {entra && (
        <p>
          Or <a href={`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(window.location.pathname)}`}>sign in with your organisation's account</a>.
        </p>
      )}
    </section>
  );
}
