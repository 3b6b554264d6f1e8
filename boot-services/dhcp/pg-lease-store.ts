// Pool leases in Postgres' "Lease" table (its SQL: store/dhcp-leases.ts; bootd never uses Prisma).
// The in-memory LeaseBook answers OFFERs and lookups without waiting; a binding is written
// before its ACK, concurrent bindings group-committed in one statement. UNIQUE(networkId, ip)
// is the guard between several bootd: an INSERT that collides there means another server
// took the address first, so this client gets a NAK and the network's book is reloaded.
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { LeaseBinding, LeaseRecord, LeaseTable, StoredLease } from '../store/dhcp-leases.ts';
import { GroupCommit } from './group-commit.ts';
import {
  LeaseBook, declineProbationSeconds, defaultLeaseReuseFraction, reusableBinding, type BindRequest, type BindResult, type LeaseStore,
  type OfferRequest, type OfferResult,
} from './lease-store.ts';

interface BindItem {
  req: BindRequest;
  expiresAtMs: number;
  /** Another MAC's expired or released row sits on the address: delete it in the same transaction. */
  reclaim: boolean;
}

export interface PgLeaseStoreOptions {
  table: LeaseTable;
  log: Logger;
  metrics: Metrics;
  /**
   * Group commits in flight at once. 1: while one batch commits (and fsyncs), everything that
   * arrives waits and goes out as the next batch, so the batch grows with the load and the
   * round trips don't.
   */
  commitConcurrency?: number;
  /** How often the book reads rows other bootd changed (0: never; tests drive refresh() themselves). */
  refreshMs?: number;
  /**
   * Whether anyone else writes this bootd's leases now (a peer bootd): alone, the book is the
   * whole truth and the incremental read is skipped (the full reload still runs).
   */
  othersWriting?: () => boolean;
  /** Rows per incremental read (default 5,000). */
  refreshBatchRows?: number;
  /** How often it rereads every lease instead (rows deleted elsewhere, a change the incremental read missed). */
  fullReloadMs?: number;
  /** lease-store.ts defaultLeaseReuseFraction; 0: every binding is written. */
  reuseFraction?: number;
}

/**
 * Once caught up, the incremental read rereads this far behind the newest "updatedAt" it has
 * seen: a row is stamped when its (one-statement) transaction starts, so one that commits a
 * little later still gets read. Anything later still is caught by the full reload.
 */
const refreshOverlapSeconds = 2;
/** Rows per incremental read: one read stays cheap however many leases changed. */
const defaultRefreshBatchRows = 5000;
/** How often open() tries again to read the leases when the database was away. */
const leaseFirstLoadRetryMs = 2000;
const commitSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class PgLeaseStore implements LeaseStore {
  readonly book = new LeaseBook();
  private readonly commits: GroupCommit<BindItem, BindResult>;
  private readonly background = new Set<Promise<unknown>>();
  /** "<networkId> <ip>" and "<networkId> <mac>" of writes not yet committed: a refresh leaves those to us. */
  private readonly writing = new Map<string, number>();
  /** Newest "updatedAt" read so far (database text, UTC). */
  private watermark: string | null = null;
  /** Where the next incremental read starts: the watermark less the overlap once caught up, the last row read while behind. */
  private readFrom: { at: string; overlap: boolean } | null = null;
  private refreshing: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** False until the leases were read once (open() met a database that was away). */
  private loaded = true;
  private closed = false;
  /** fleetboot_dhcp_lease_commits_total, counted here and added to Metrics by flushMetrics() (not per binding). */
  private readonly commitResults = { bound: 0, taken: 0, unavailable: 0 };
  /** Bindings answered from the client's own recent durable binding, without a write. */
  private reused = 0;
  /** Group commits and the bindings they carried: bindings ÷ batches is the batch size operators check. */
  private readonly commitBatches = { batches: 0, bindings: 0 };

  private constructor(private readonly opts: PgLeaseStoreOptions) {
    this.commits = new GroupCommit((items) => this.commitBatch(items), {
      concurrency: opts.commitConcurrency ?? 1,
      maxBatch: 1000,
      key: (item) => `${item.req.network.id}/${item.req.mac}`,
    });
  }

  /**
   * Loads every lease into memory. If the database is away, it opens anyway with nothing loaded
   * and reads them every few seconds until it can: known hosts (reservations) are answered from
   * the view meanwhile, pool clients are not offered an address (none could be ACKed without the
   * database, and an unread book could offer an address another machine holds).
   */
  static async open(opts: PgLeaseStoreOptions): Promise<PgLeaseStore> {
    const store = new PgLeaseStore(opts);
    try {
      await store.reload(null);
    } catch (err) {
      opts.log.warn('leases not readable (database away?): pool clients wait until they are', { error: (err as Error).message });
      store.loaded = false;
      store.retryFirstLoad();
    }
    const metricsTimer = setInterval(() => store.flushMetrics(), 250);
    metricsTimer.unref();
    store.timers.push(metricsTimer);
    const refreshMs = opts.refreshMs ?? 0;
    if (refreshMs > 0) {
      const every = (ms: number, run: () => Promise<void>) => {
        const t = setInterval(() => void run().catch((err: Error) => opts.log.warn('lease book refresh failed', { error: err.message })), ms);
        t.unref();
        store.timers.push(t);
      };
      every(refreshMs, () => (opts.othersWriting?.() ?? true) ? store.refresh() : Promise.resolve());
      every(opts.fullReloadMs ?? 300_000, () => store.reload(null));
    }
    return store;
  }

  private retryFirstLoad(): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      this.reload(null).then(() => {
        this.loaded = true;
        this.opts.log.info('leases read: pool clients are answered again');
      }, () => this.retryFirstLoad());
    }, leaseFirstLoadRetryMs);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * Rereads one network's leases (or all) and merges them into the book: at start, after a
   * collision with another bootd, and every fullReloadMs. What we hold in memory only (an
   * OFFER's hold) or are still committing survives it.
   */
  async reload(networkId: string | null): Promise<void> {
    const rows = await this.opts.table.readAll(networkId);
    const byNetwork = new Map<string, LeaseRecord[]>();
    for (const { record, updatedAt } of rows) {
      let list = byNetwork.get(record.networkId);
      if (!list) byNetwork.set(record.networkId, list = []);
      list.push(record);
      this.advanceWatermark(updatedAt);
    }
    const keep = (r: LeaseRecord) => r.state === 'offered' || this.isWriting(r.networkId, r.ip, r.mac);
    if (networkId) this.book.replaceNetwork(networkId, byNetwork.get(networkId) ?? [], keep);
    else this.book.replaceAll(byNetwork, keep);
    this.opts.metrics.inc('fleetboot_dhcp_lease_book_reloads_total', 'Lease book reads from Postgres, by kind', { kind: 'full' });
  }

  /**
   * The rows changed since the last read (by any bootd), at most refreshBatchRows of them: the
   * book learns of another bootd's leases before a collision tells it. One query, bounded.
   */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.refreshOnce().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    if (this.watermark === null) return this.reload(null);
    const from = this.readFrom ?? { at: this.watermark, overlap: true };
    const batchRows = this.opts.refreshBatchRows ?? defaultRefreshBatchRows;
    const rows: StoredLease[] = await this.opts.table.readChangedSince(from.at, from.overlap ? refreshOverlapSeconds : 0, batchRows);
    for (const r of rows) this.advanceWatermark(r.updatedAt);
    // A full read means more are waiting: go on from the last row (always forward, however many
    // rows changed inside the overlap), and reread the overlap only once caught up.
    const last = rows.at(-1);
    this.readFrom = rows.length === batchRows && last ? { at: last.updatedAt, overlap: false } : null;
    // More than a read's worth of rows share one timestamp (a bulk write): only a full read gets past them.
    if (this.readFrom && !from.overlap && this.readFrom.at === from.at) {
      this.readFrom = null;
      return this.reload(null);
    }
    const nowMs = Date.now();
    for (const { record } of rows) {
      if (this.isWriting(record.networkId, record.ip, record.mac)) continue;
      const known = this.book.findByIp(record.networkId, record.ip);
      // Most rows read back are our own bindings: nothing to do.
      if (known && known.mac === record.mac && known.state === record.state && known.expiresAtMs === record.expiresAtMs) continue;
      // Our own OFFER's hold for this MAC stands unless another bootd has bound the MAC since.
      const mine = this.book.findByMac(record.networkId, record.mac);
      if (mine && mine.state === 'offered' && mine.expiresAtMs > nowMs && record.state !== 'bound') continue;
      this.book.put(record);
    }
    this.opts.metrics.inc('fleetboot_dhcp_lease_book_reloads_total', 'Lease book reads from Postgres, by kind', { kind: 'incremental' });
  }

  flushMetrics(): void {
    if (this.commitBatches.batches > 0) {
      this.opts.metrics.inc('fleetboot_dhcp_lease_commit_batches_total', 'Group commits of pool leases (one statement each)', {}, this.commitBatches.batches);
      this.opts.metrics.inc('fleetboot_dhcp_lease_commit_batch_bindings_total', 'Bindings carried by those group commits', {}, this.commitBatches.bindings);
      this.commitBatches.batches = 0;
      this.commitBatches.bindings = 0;
    }
    if (this.reused > 0) {
      this.opts.metrics.inc('fleetboot_dhcp_leases_reused_total', 'REQUESTs answered from the client\'s own recent durable binding, without a write (lease reuse)', {}, this.reused);
      this.reused = 0;
    }
    for (const kind of ['bound', 'taken', 'unavailable'] as const) {
      const n = this.commitResults[kind];
      if (n === 0) continue;
      this.opts.metrics.inc('fleetboot_dhcp_lease_commits_total', 'Pool lease bindings written to Postgres, by result', { result: kind }, n);
      this.commitResults[kind] = 0;
    }
  }

  private advanceWatermark(updatedAt: string): void {
    if (this.watermark === null || updatedAt > this.watermark) this.watermark = updatedAt;
  }

  private isWriting(networkId: string, ip: string, mac: string): boolean {
    return this.writing.has(`${networkId} ${ip}`) || this.writing.has(`${networkId} ${mac}`);
  }

  /** Marks keys as being written until `p` settles. */
  private whileWriting<T>(keys: string[], p: Promise<T>): Promise<T> {
    for (const k of keys) this.writing.set(k, (this.writing.get(k) ?? 0) + 1);
    const done = () => {
      for (const k of keys) {
        const n = (this.writing.get(k) ?? 1) - 1;
        if (n <= 0) this.writing.delete(k);
        else this.writing.set(k, n);
      }
    };
    p.then(done, done);
    return p;
  }

  offer(req: OfferRequest): OfferResult {
    if (!this.loaded) return { kind: 'unavailable' };
    const r = this.book.chooseAddress(req);
    if (r.kind !== 'offered') return r;
    if (r.reclaimedFrom) this.opts.metrics.inc('fleetboot_dhcp_offers_reclaimed_total', 'Offered addresses never requested, taken back for another client because the pool was full', {});
    const current = this.book.findByMac(req.network.id, req.mac);
    if (!(current && current.ip === r.ip && current.state === 'bound' && current.expiresAtMs > req.nowMs)) {
      this.book.put({ networkId: req.network.id, ip: r.ip, mac: req.mac, state: 'offered', expiresAtMs: req.nowMs + req.holdSeconds * 1000, clientId: null, hostname: null });
    }
    return r;
  }

  async bind(req: BindRequest): Promise<BindResult> {
    if (!this.loaded) return { kind: 'unavailable' };
    const id = req.network.id;
    // A bound record nobody is writing is a committed row (read from the database or written by us).
    const current = this.book.findByMac(id, req.mac);
    if (current && reusableBinding(current, req, this.opts.reuseFraction ?? defaultLeaseReuseFraction) && !this.isWriting(id, req.ip, req.mac)) {
      this.reused++;
      return { kind: 'bound', ip: req.ip, expiresAtMs: current.expiresAtMs };
    }
    if (!this.book.isFree(id, req.ip, req.nowMs, req.mac)) return { kind: 'taken' };
    const holder = this.book.findByIp(id, req.ip);
    const expiresAtMs = req.nowMs + req.leaseSeconds * 1000;
    // Hold it in memory at once so a concurrent REQUEST from another MAC sees it taken.
    const previous = this.book.findByMac(id, req.mac);
    this.book.put({ networkId: id, ip: req.ip, mac: req.mac, state: 'bound', expiresAtMs, clientId: req.clientId, hostname: req.hostname });
    let result: BindResult;
    try {
      result = await this.whileWriting([`${id} ${req.ip}`, `${id} ${req.mac}`], this.commits.submit({ req, expiresAtMs, reclaim: holder !== null && holder.mac !== req.mac }));
    } catch (err) {
      this.opts.log.warn('lease commit failed', { error: (err as Error).message });
      result = { kind: 'unavailable' };
    }
    if (result.kind !== 'bound') {
      // Undo the optimistic hold; a collision means our book is stale for this network.
      if (previous) this.book.put(previous);
      else this.book.remove(id, req.ip, req.mac);
      if (result.kind === 'taken') this.track(this.reload(id));
    }
    this.commitResults[result.kind]++;
    return result;
  }

  private async commitBatch(items: BindItem[]): Promise<BindResult[]> {
    this.commitBatches.batches++;
    this.commitBatches.bindings += items.length;
    const started = performance.now();
    try {
      return await this.commitBatchOnce(items);
    } finally {
      // Per batch, not per packet: how long an ACK waits for the database.
      this.opts.metrics.observe('fleetboot_dhcp_lease_commit_seconds', 'Time a group commit of pool leases took', commitSecondsBuckets, {}, (performance.now() - started) / 1000);
    }
  }

  private async commitBatchOnce(items: BindItem[]): Promise<BindResult[]> {
    const bound = (it: BindItem): BindResult => ({ kind: 'bound', ip: it.req.ip, expiresAtMs: it.expiresAtMs });
    if (await this.opts.table.writeBindings(items.map(toBinding)) === 'written') return items.map(bound);
    if (items.length === 1 && items[0]!.reclaim) return [{ kind: 'taken' }];
    // An address in the batch collided with a row we didn't know was there (another bootd's
    // lease, or an expired one our book has since overwritten): one by one, reclaiming what
    // is expired, to find which.
    const results: BindResult[] = [];
    for (const it of items) {
      results.push(await this.opts.table.writeBindings([toBinding({ ...it, reclaim: true })]) === 'written' ? bound(it) : { kind: 'taken' });
    }
    return results;
  }

  findLeaseByMac(networkId: string, mac: string): LeaseRecord | null { return this.book.findByMac(networkId, mac); }
  findLeaseByIp(networkId: string, ip: string): LeaseRecord | null { return this.book.findByIp(networkId, ip); }

  release(networkId: string, mac: string, ip: string, nowMs: number): void {
    const r = this.book.findByMac(networkId, mac);
    if (!r || r.ip !== ip) return;
    this.book.put({ ...r, state: 'released', expiresAtMs: nowMs });
    this.track(this.whileWriting([`${networkId} ${ip}`, `${networkId} ${mac}`], this.opts.table.release(networkId, mac, ip, nowMs)));
  }

  decline(networkId: string, mac: string, ip: string, nowMs: number): void {
    const expiresAtMs = nowMs + declineProbationSeconds * 1000;
    this.book.put({ networkId, ip, mac, state: 'declined', expiresAtMs, clientId: null, hostname: null });
    // RFC 2131 §4.3.3: the address becomes the decliner's quarantine, whoever held it.
    this.track(this.whileWriting([`${networkId} ${ip}`], this.opts.table.decline(networkId, mac, ip, expiresAtMs)));
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: Error) => this.opts.log.warn('lease write failed', { error: err.message }))
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.flushMetrics();
    await this.refreshing?.catch(() => undefined);
    await Promise.all([...this.background]);
  }
}

function toBinding(it: BindItem): LeaseBinding {
  return { networkId: it.req.network.id, ip: it.req.ip, mac: it.req.mac, expiresAtMs: it.expiresAtMs, clientId: it.req.clientId, hostname: it.req.hostname, reclaim: it.reclaim };
}
