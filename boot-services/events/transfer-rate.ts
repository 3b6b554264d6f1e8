// The rate a transfer event reports: bytes per second over the whole transfer, rounded; null
// when the transfer took under a millisecond (a rate from a zero duration would be a lie).
export function transferRate(bytes: number, durationMs: number): number | null {
  return durationMs > 0 ? Math.round((bytes * 1000) / durationMs) : null;
}
