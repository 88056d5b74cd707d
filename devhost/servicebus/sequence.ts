let last = 0;

/**
 * Sequence numbers: microseconds since the epoch, bumped to stay strictly increasing.
 * Module-wide so that emulator instances sharing a process (a restart in a test) never
 * collide, and time-based so that a restarted process continues above what it wrote.
 */
export function nextSequenceNumber(): number {
  last = Math.max(Date.now() * 1000, last + 1);
  return last;
}
