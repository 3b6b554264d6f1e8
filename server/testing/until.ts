// Polling for tests that wait on another process (a web worker, bootd, a simulated BMC): the
// value once it is truthy, or a timeout that names what never happened.

/** Calls fn every intervalMs until it returns a truthy value, which it resolves to. */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 60_000, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
