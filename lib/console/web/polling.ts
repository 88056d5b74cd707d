import { useEffect, useRef } from "preact/hooks";

/**
 * Runs `load` now and then every `intervalMs` while the page is visible and `active`; a hidden
 * tab asks nothing, and catches up as soon as it is shown again. One request at a time.
 */
export function usePolling(load: () => Promise<void>, intervalMs: number, active: boolean, deps: unknown[]): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const tick = async () => {
      if (stopped || running) return;
      if (document.visibilityState !== "visible") return;
      running = true;
      try {
        await latest.current();
      } catch {
        // The load shows its own error; polling goes on.
      } finally {
        running = false;
      }
      if (!stopped && active) timer = setTimeout(tick, intervalMs);
    };
    const onVisible = () => {
      if (document.visibilityState === "visible" && !running) {
        clearTimeout(timer);
        void tick();
      }
    };
    void tick();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [active, intervalMs, ...deps]);
}
