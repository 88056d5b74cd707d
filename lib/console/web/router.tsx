import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

export const base = "/console/";
const navigated = "lucius:navigate";

/** The path inside the console: "" for the jobs list, "jobs/<id>", "devhost". */
export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener("popstate", update);
    window.addEventListener(navigated, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(navigated, update);
    };
  }, []);
  return path;
}

function currentPath(): string {
  const path = window.location.pathname;
  return path.startsWith(base) ? decodeURI(path.slice(base.length)).replace(/\/+$/, "") : "";
}

export function navigate(to: string): void {
  window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(navigated));
  window.scrollTo(0, 0);
}

/** A real link (open in a new tab works), followed without reloading the page. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" | undefined }) {
  return (
    <a
      {...props}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    />
  );
}

export const jobHref = (jobId: string) => `${base}jobs/${encodeURIComponent(jobId)}`;
