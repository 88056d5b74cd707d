/**
 * Preloaded into the Azurite process (`node --import <this> azurite.js …`) so that Azurite's life
 * is bound to its parent's: Azurite stops when its stdin pipe closes. The parent closes it to stop
 * Azurite; the kernel closes it when the parent dies, however it dies (SIGKILL included), so an
 * orphan never outlives devhost by more than its own shutdown.
 *
 * Stopping goes through Azurite's own SIGTERM handler, which closes the three services; closing
 * flushes the Loki databases (tables, queue and blob metadata), which otherwise reach the disk
 * only every 5 s. Before that handler exists (Azurite still starting, nothing written yet), the
 * process just exits. Writes to a dead parent's pipes must not crash the flush, so their errors
 * are swallowed. Inline source, not a file: it must load from both the sources (tests) and `dist/`.
 */
const watchdogSource = `
const ignore = () => {};
process.stdout.on("error", ignore);
process.stderr.on("error", ignore);
const stop = () => {
  process.stdin.destroy();
  // Bounded: a stuck shutdown must not leave an orphan either.
  setTimeout(() => process.exit(1), ${60_000}).unref();
  if (process.listenerCount("SIGTERM") > 1) process.kill(process.pid, "SIGTERM");
  else process.exit(0);
};
process.stdin.once("end", stop);
process.stdin.once("error", stop);
process.stdin.resume();
// An external SIGTERM also lets go of stdin, so the process can end once Azurite has closed.
process.once("SIGTERM", () => {
  process.stdin.destroy();
  if (process.listenerCount("SIGTERM") === 0) process.exit(0);
});
`;

/** The `--import` specifier that preloads the watchdog. */
export const watchdogImport = `data:text/javascript,${encodeURIComponent(watchdogSource)}`;
