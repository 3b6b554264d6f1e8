// Which "dropped" events a DHCP server records (DHCPv4 and DHCPv6 alike): one per client and
// reason per window, so every client's reason shows however many others share it, and no more
// than a cap a second in all, so a flood of strangers doesn't flood the events table.

/** One "dropped" event per MAC and reason in this window: a client retrying doesn't flood its timeline. */
export const droppedEventPerClientMs = 10_000;
/** And at most this many "dropped" events a second in all. */
export const droppedEventsPerSecond = 50;

export class DroppedEventGate {
  private readonly lastAt = new Map<string, number>();
  private second = 0;
  private thisSecond = 0;

  /** Whether a "dropped" event for this reason and client may be recorded now (and counts it if so). */
  allow(reason: string, mac: string | null, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.thisSecond = 0;
    }
    if (this.thisSecond >= droppedEventsPerSecond) return false;
    const key = `${reason} ${mac ?? ''}`;
    const last = this.lastAt.get(key);
    if (last !== undefined && nowMs - last < droppedEventPerClientMs && nowMs >= last) return false;
    if (this.lastAt.size > 10_000) this.lastAt.clear();
    this.lastAt.set(key, nowMs);
    this.thisSecond++;
    return true;
  }
}
