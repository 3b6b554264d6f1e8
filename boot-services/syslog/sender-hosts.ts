// Which host sent a syslog datagram, by its source address: the host whose reserved address it
// is (the view), else the host whose MAC holds a bound pool lease on it (asked of the lease
// table, remembered briefly). Datagrams from one address waiting for that answer are handed on
// in the order they came, so a host's file never has its lines shuffled.
import type pg from 'pg';
import type { BootView, HostView } from '../boot-view.ts';

export interface SenderHostsOptions {
  view: Pick<BootView, 'findHostByIp' | 'findHostByMac'>;
  /** The MAC holding a bound, unexpired pool lease on `ip`, or null. Absent: reservations only. */
  findLeaseHolderMac?: (ip: string) => Promise<string | null>;
  /** A lease holder is believed this long (a released address can go to another MAC). */
  leaseMemoMs?: number;
  /** "No lease on this address" is believed this long. */
  noLeaseMemoMs?: number;
  /** Lookups in flight at most; past that a sender counts as unknown (kept under its IP). */
  maxLookups?: number;
  now?: () => number;
  onLookupError?: (ip: string, err: Error) => void;
}

type Delivery = (host: HostView | null) => void;

export class SenderHosts {
  private readonly memo = new Map<string, { mac: string | null; untilMs: number }>();
  private readonly waiting = new Map<string, Delivery[]>();
  private readonly now: () => number;

  constructor(private readonly opts: SenderHostsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Calls `deliver` with the sender's host (null: unknown), at once when no lookup is needed. */
  whenKnown(ip: string, deliver: Delivery): void {
    const queue = this.waiting.get(ip);
    // Behind an earlier datagram of this address that waits for its lookup: keep the order.
    if (queue) return void queue.push(deliver);
    const reserved = this.opts.view.findHostByIp(ip);
    if (reserved || !this.opts.findLeaseHolderMac) return deliver(reserved);
    const known = this.memo.get(ip);
    if (known && known.untilMs > this.now()) return deliver(this.hostOf(known.mac));
    if (this.waiting.size >= (this.opts.maxLookups ?? 256)) return deliver(null);
    this.waiting.set(ip, [deliver]);
    void this.lookUp(ip);
  }

  private hostOf(mac: string | null): HostView | null {
    return mac ? this.opts.view.findHostByMac(mac) : null;
  }

  private async lookUp(ip: string): Promise<void> {
    let mac: string | null = null;
    try {
      mac = await this.opts.findLeaseHolderMac!(ip);
      this.remember(ip, mac);
    } catch (err) {
      // Not remembered: the next datagram asks again.
      this.opts.onLookupError?.(ip, err as Error);
    }
    const queue = this.waiting.get(ip) ?? [];
    this.waiting.delete(ip);
    const host = this.hostOf(mac);
    for (const deliver of queue) deliver(host);
  }

  private remember(ip: string, mac: string | null): void {
    if (this.memo.size > 4096) {
      const nowMs = this.now();
      for (const [key, entry] of this.memo) if (entry.untilMs <= nowMs) this.memo.delete(key);
      if (this.memo.size > 4096) this.memo.clear();
    }
    this.memo.set(ip, { mac, untilMs: this.now() + (mac ? this.opts.leaseMemoMs ?? 30_000 : this.opts.noLeaseMemoMs ?? 5_000) });
  }
}

/** findLeaseHolderMac from the Lease table (bootd reads leases, not hosts, from Postgres). */
export function leaseHolderMacFromDatabase(pool: Pick<pg.Pool, 'query'>): (ip: string) => Promise<string | null> {
  return async (ip) => {
    const r = await pool.query<{ mac: string }>(
      `SELECT mac FROM "Lease" WHERE ip = $1 AND state = 'bound' AND "expiresAt" > now() ORDER BY "expiresAt" DESC LIMIT 1`, [ip],
    );
    return r.rows[0]?.mac ?? null;
  };
}
