// Unknown machines seen by DHCP into "DiscoveredMachine", the console's discovery list
// (DESIGN.md "Identity"). The reply path only notes a MAC in memory; a timer writes what was
// noted since the last write in one statement (group commit), one row per MAC however many
// packets it sent. A failed write keeps its rows and is retried with backoff, never dropped
// silently. The statement is store/discovery.ts's; the boot agent's facts and the claim are
// written there too, never by this writer: it never touches "facts" or "claimedById", and only
// moves lastSeenAt forward.
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { SightingsTable } from '../store/discovery.ts';
import type { UnknownMachineSink } from './policy.ts';

interface Sighting {
  networkId: string;
  /** The address it was last ACKed, or null (a DISCOVER has none yet: the row keeps its old one). */
  ip: string | null;
  seenAtMs: number;
}

export interface DiscoveryWriterOptions {
  table: SightingsTable;
  log: Logger;
  metrics: Metrics;
  flushIntervalMs?: number;
  /** MACs waiting at most; past it new ones are counted as lost and logged (a flood of strangers while Postgres is away). */
  maxPending?: number;
  now?: () => number;
}

const maxRetryDelayMs = 30_000;
/**
 * A MAC already written with the same network and address is written again only this much
 * later (lastSeenAt to the minute is what the list needs): a boot storm of retrying clients
 * costs one row write per machine per minute, not one per packet batch.
 */
const rewriteUnchangedAfterMs = 60_000;
/** Written MACs remembered for that; the oldest are forgotten first (then simply written again). */
const maxRemembered = 50_000;

export class DiscoveryWriter implements UnknownMachineSink {
  private pending = new Map<string, Sighting>();
  /** What was last committed per MAC, in commit order. */
  private readonly written = new Map<string, { networkId: string; ip: string | null; atMs: number }>();
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private failures = 0;
  private retryAtMs = 0;
  private lostSinceLog = 0;
  private readonly now: () => number;

  constructor(private readonly opts: DiscoveryWriterOptions) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 500);
    this.timer.unref();
  }

  noteUnknownMachine(mac: string, networkId: string, ip: string | null): void {
    const nowMs = this.now();
    const done = this.written.get(mac);
    if (done && nowMs - done.atMs < rewriteUnchangedAfterMs && nowMs >= done.atMs && done.networkId === networkId && (ip === null || ip === done.ip)) return;
    const previous = this.pending.get(mac);
    if (previous) {
      previous.seenAtMs = nowMs;
      previous.networkId = networkId;
      if (ip) previous.ip = ip;
      return;
    }
    if (this.pending.size >= (this.opts.maxPending ?? 50_000)) {
      this.lostSinceLog++;
      this.opts.metrics.inc('fleetboot_dhcp_discovered_lost_total', 'Unknown MACs not written to the discovery list because too many were waiting', {});
      return;
    }
    this.pending.set(mac, { networkId, ip, seenAtMs: nowMs });
  }

  /** MACs noted and not yet committed. */
  waiting(): number {
    return this.pending.size;
  }

  /** Writes what is pending in one statement; on failure keeps it for the next try. Never rejects. */
  flush(opts: { force?: boolean } = {}): Promise<void> {
    if (this.writing) return this.writing;
    if (this.pending.size === 0) return Promise.resolve();
    if (!opts.force && this.now() < this.retryAtMs) return Promise.resolve();
    this.writing = this.writeOnce().finally(() => { this.writing = null; });
    return this.writing;
  }

  private async writeOnce(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const macs: string[] = [];
    const networks: string[] = [];
    const ips: Array<string | null> = [];
    const seen: number[] = [];
    for (const [mac, s] of batch) {
      macs.push(mac);
      networks.push(s.networkId);
      ips.push(s.ip);
      seen.push(s.seenAtMs);
    }
    try {
      await this.opts.table.writeSightings({ macs, networkIds: networks, ips, seenAtMs: seen });
      for (const [mac, s] of batch) {
        const before = this.written.get(mac);
        this.written.delete(mac);
        this.written.set(mac, { networkId: s.networkId, ip: s.ip ?? before?.ip ?? null, atMs: s.seenAtMs });
      }
      if (this.written.size > maxRemembered) {
        let drop = this.written.size - maxRemembered;
        for (const mac of this.written.keys()) { this.written.delete(mac); if (--drop <= 0) break; }
      }
      this.opts.metrics.inc('fleetboot_dhcp_discovered_written_total', 'Unknown-MAC sightings written to the discovery list', {}, macs.length);
      if (this.failures > 0) this.opts.log.info('discovery list writes resumed', { after: this.failures });
      this.failures = 0;
      this.retryAtMs = 0;
      if (this.lostSinceLog > 0) {
        this.opts.log.warn('unknown MACs were not written to the discovery list (too many waiting)', { lost: this.lostSinceLog });
        this.lostSinceLog = 0;
      }
    } catch (err) {
      // Put the batch back under what was noted meanwhile (newer sightings win).
      for (const [mac, s] of batch) {
        const newer = this.pending.get(mac);
        if (!newer) this.pending.set(mac, s);
        else if (!newer.ip && s.ip) newer.ip = s.ip;
      }
      this.failures++;
      this.retryAtMs = this.now() + Math.min(maxRetryDelayMs, 500 * 2 ** Math.min(this.failures, 6));
      this.opts.metrics.inc('fleetboot_dhcp_discovered_write_failures_total', 'Failed writes to the discovery list (retried)', {});
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.opts.log.warn('discovery list write failed; kept for retry', { macs: batch.size, failures: this.failures, error: (err as Error).message });
      }
    }
  }

  /** Last write on shutdown; what still can't be written is logged, not lost silently. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    await this.flush({ force: true });
    if (this.pending.size > 0) this.opts.log.warn('unknown MACs not written to the discovery list at shutdown', { macs: [...this.pending.keys()].slice(0, 20), count: this.pending.size });
  }
}
