// How long the supervisor waits before restarting something that died: doubling from 1 s to
// 30 s while it keeps dying, back to 1 s once a run lasted a minute (a crash loop must not
// spin; a crash after a long healthy run should be repaired at once).
export const firstDelayMs = 1000;
export const maxDelayMs = 30_000;
/** A run at least this long counts as healthy: the next failure starts the backoff over. */
export const healthyRunMs = 60_000;

export class RestartBackoff {
  private failures = 0;

  /** The delay before the next start, given how long the run that just ended lasted. */
  nextDelayMs(ranMs: number): number {
    this.failures = ranMs >= healthyRunMs ? 1 : this.failures + 1;
    return Math.min(firstDelayMs * 2 ** (this.failures - 1), maxDelayMs);
  }

  /** Failures in a row so far (1 after the first). */
  get failuresInARow(): number {
    return this.failures;
  }
}
