// Keeps a boot server's artifact cache in step with its view: after every view change (and on
// a slow timer, which retries failed pulls) it pulls what its hosts may boot and isn't cached,
// pinned ones first, then evicts least recently used artifacts past the size limit, never a
// pinned one (needed-artifacts.ts). It is also what the boot services ask for an artifact:
// a hit is the cached file; a miss starts the pull at the head of the queue, so the request
// can be streamed through or refused. Its counts feed the metrics and the heartbeat.
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import { ArtifactCache } from './artifact-cache.ts';
import { ArtifactPuller, type ArtifactPull, type PullOrigin, type PullResult } from './artifact-pull.ts';
import { neededArtifacts, type ArtifactNeed, type NeedsView } from './needed-artifacts.ts';

/** What the boot services (boot-files.ts) ask of the cache. */
export interface ArtifactSource {
  /** The cached file's path (a hit), or null (a miss). */
  cachedPath(sha256: string): string | null;
  /** Starts (or joins) pulling a missed artifact ahead of prefetches. */
  pullNow(sha256: string, sizeBytes: number): ArtifactPull;
}

export interface ArtifactSyncOptions {
  view: NeedsView;
  origin: PullOrigin;
  /** <stateDir>/artifacts */
  dir: string;
  limitBytes: number;
  maxConcurrentPulls: number;
  log: Logger;
  metrics: Metrics;
  /** Slow re-check: failed pulls are tried again this often. */
  recheckMs?: number;
  retryDelayMs?: number;
}

export interface ArtifactSyncStatus {
  needed: number;
  synced: number;
  cacheBytes: number;
  state: {
    limitBytes: number;
    artifacts: number;
    pulling: number;
    /** Pinned artifacts alone are over the limit: the cache can't shrink without breaking boots. */
    overLimitBytes: number;
    lastFailure: { sha256: string; failure: string; message: string | null; at: string } | null;
  };
}

const help = {
  requests: 'Artifact requests from boot clients by cache result (hit, or miss: pulled while streamed or refused)',
  pulls: 'Artifact pulls from the console by result',
  bytes: 'Bytes pulled from the console',
  evictions: 'Artifacts evicted from the cache (least recently used, never pinned)',
};

export class ArtifactSync implements ArtifactSource {
  readonly cache: ArtifactCache;
  private readonly puller: ArtifactPuller;
  private needs: ArtifactNeed[] = [];
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;
  private again = false;
  private lastFailure: ArtifactSyncStatus['state']['lastFailure'] = null;

  constructor(private readonly opts: ArtifactSyncOptions) {
    this.cache = new ArtifactCache(opts.dir, opts.limitBytes);
    this.puller = new ArtifactPuller({
      origin: opts.origin, cache: this.cache, maxConcurrent: opts.maxConcurrentPulls, retryDelayMs: opts.retryDelayMs,
      onResult: (r) => this.pulled(r),
    });
  }

  async start(): Promise<void> {
    await this.cache.open();
    this.opts.log.info('artifact cache opened', { dir: this.opts.dir, artifacts: this.cache.count, bytes: this.cache.totalBytes, limitBytes: this.opts.limitBytes });
    this.updateGauges();
    this.timer = setInterval(() => this.viewChanged(), this.opts.recheckMs ?? 30_000);
    this.timer.unref();
    this.viewChanged();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.puller.close();
  }

  cachedPath(sha256: string): string | null {
    const found = this.cache.use(sha256);
    this.opts.metrics.inc('fleetboot_artifact_cache_requests_total', help.requests, { result: found ? 'hit' : 'miss' });
    return found;
  }

  pullNow(sha256: string, sizeBytes: number): ArtifactPull {
    return this.puller.pull(sha256, sizeBytes, true);
  }

  /** Called after each change batch of the view: pull what is newly needed, evict what no longer is. */
  viewChanged(): void {
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = this.reconcile()
      .catch((err: Error) => this.opts.log.warn('artifact sync failed', { error: err.message }))
      .finally(() => {
        this.reconciling = null;
        if (this.again) {
          this.again = false;
          this.viewChanged();
        }
      });
  }

  /** Resolves once nothing is being reconciled (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.reconciling) await this.reconciling;
  }

  status(): ArtifactSyncStatus {
    const synced = this.needs.filter((n) => this.cache.has(n.sha256)).length;
    const pinnedBytes = this.needs.filter((n) => n.pinned && this.cache.has(n.sha256)).reduce((sum, n) => sum + n.sizeBytes, 0);
    return {
      needed: this.needs.length,
      synced,
      cacheBytes: this.cache.totalBytes,
      state: {
        limitBytes: this.opts.limitBytes,
        artifacts: this.cache.count,
        pulling: this.puller.activeCount,
        overLimitBytes: Math.max(0, pinnedBytes - this.opts.limitBytes),
        lastFailure: this.lastFailure,
      },
    };
  }

  private async reconcile(): Promise<void> {
    this.needs = neededArtifacts(this.opts.view);
    // Pinned artifacts are pulled whatever their size; ready images' only into the room left
    // beside them, so a cache too small for everything doesn't pull and evict in a loop (a
    // host asking for one still gets it pulled and streamed).
    let room = this.opts.limitBytes - this.needs.filter((n) => n.pinned).reduce((sum, n) => sum + n.sizeBytes, 0);
    for (const n of this.needs) if (!n.pinned && this.cache.has(n.sha256)) room -= n.sizeBytes;
    for (const n of this.needs) {
      if (this.cache.has(n.sha256)) continue;
      if (!n.pinned && room < n.sizeBytes) continue;
      if (!n.pinned) room -= n.sizeBytes;
      this.puller.pull(n.sha256, n.sizeBytes);
    }
    await this.evict();
    this.updateGauges();
  }

  private async evict(): Promise<void> {
    const pinned = new Set(this.needs.filter((n) => n.pinned).map((n) => n.sha256));
    const evicted = await this.cache.evict(pinned);
    for (const e of evicted) {
      this.opts.metrics.inc('fleetboot_artifact_evictions_total', help.evictions, {});
      this.opts.log.info('artifact evicted from the cache (least recently used)', { sha256: e.sha256, sizeBytes: e.sizeBytes });
    }
    if (this.cache.totalBytes > this.opts.limitBytes) {
      this.opts.log.warn('artifact cache over its size limit: what is left is pinned (active, trial or previous images)', { cacheBytes: this.cache.totalBytes, limitBytes: this.opts.limitBytes });
    }
  }

  private pulled(r: PullResult): void {
    this.opts.metrics.inc('fleetboot_artifact_pulls_total', help.pulls, { result: r.ok ? 'done' : r.failure ?? 'unknown' });
    this.opts.metrics.inc('fleetboot_artifact_pull_bytes_total', help.bytes, {}, r.bytesReceived);
    if (r.ok) {
      this.opts.log.info('artifact pulled into the cache', { sha256: r.sha256, bytes: r.bytesReceived, attempts: r.attempts, resumed: r.resumed });
      void this.evict().finally(() => this.updateGauges());
      return;
    }
    this.lastFailure = { sha256: r.sha256, failure: r.failure ?? 'unknown', message: r.message, at: new Date().toISOString() };
    const need = this.needs.find((n) => n.sha256 === r.sha256);
    this.opts.log.error('artifact pull failed', { sha256: r.sha256, artifact: need?.why ?? null, failure: r.failure, message: r.message, attempts: r.attempts });
    this.updateGauges();
  }

  private updateGauges(): void {
    const s = this.status();
    const m = this.opts.metrics;
    m.set('fleetboot_artifact_cache_bytes', 'Bytes of artifacts in the cache', {}, s.cacheBytes);
    m.set('fleetboot_artifact_cache_limit_bytes', 'Size limit of the artifact cache (FLEETBOOT_ARTIFACT_CACHE_BYTES)', {}, s.state.limitBytes);
    m.set('fleetboot_artifact_cache_artifacts', 'Artifacts in the cache', {}, s.state.artifacts);
    m.set('fleetboot_artifacts_needed', 'Artifacts the hosts of this boot server may boot', {}, s.needed);
    m.set('fleetboot_artifacts_synced', 'Needed artifacts that are in the cache', {}, s.synced);
  }
}
