// Host state from the agent's phases ("Host".state / "statePhase": booting, up, failed),
// written in batches like the events: the latest state per host wins within a batch, one
// UPDATE per batch, a failed batch is kept and retried on the next tick (a newer state for
// the same host replaces it). Updates of these columns don't enter the change log (see the
// change-log migration): they change nothing bootd decides on. Clearing a one-shot boot
// override does, so the view learns the host boots its role again.
import type pg from 'pg';
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';

export type AgentHostState = 'booting' | 'up' | 'failed';

interface PendingState {
  state: AgentHostState;
  phase: string;
  /** Set once the host reports up; kept across later updates in the same batch. */
  clearOneShot: boolean;
}

export interface HostStateSink {
  set(hostId: string, state: AgentHostState, phase: string, opts?: { clearOneShot?: boolean }): void;
}

export class HostStateWriter implements HostStateSink {
  private pending = new Map<string, PendingState>();
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: { pool: pg.Pool; log: Logger; metrics: Metrics; flushIntervalMs?: number }) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  set(hostId: string, state: AgentHostState, phase: string, opts: { clearOneShot?: boolean } = {}): void {
    const before = this.pending.get(hostId);
    this.pending.set(hostId, { state, phase, clearOneShot: (opts.clearOneShot ?? false) || (before?.clearOneShot ?? false) });
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushOnce().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const rows = [...batch].map(([id, p]) => ({ id, state: p.state, phase: p.phase, clear: p.clearOneShot }));
    try {
      await this.opts.pool.query(
        `UPDATE "Host" h SET state = s.state::"HostState", "statePhase" = s.phase,
           "bootOverride" = CASE WHEN s.clear THEN NULL ELSE h."bootOverride" END,
           -- a one-shot image override names its image in imageOverrideId: it goes with it.
           "imageOverrideId" = CASE WHEN s.clear AND h."bootOverride" = 'image' THEN NULL ELSE h."imageOverrideId" END
         FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, state text, phase text, clear boolean)
         WHERE h.id = s.id`,
        [JSON.stringify(rows)],
      );
      this.opts.metrics.inc('fleetboot_host_state_batches_total', 'Host state batches written', { result: 'committed' });
    } catch (err) {
      this.opts.metrics.inc('fleetboot_host_state_batches_total', 'Host state batches written', { result: 'retried' });
      this.opts.log.warn('host state could not be written; retrying', { hosts: rows.length, error: (err as Error).message });
      // Newer states that arrived meanwhile win; the one-shot clearing is never dropped.
      for (const [id, p] of batch) {
        const newer = this.pending.get(id);
        this.pending.set(id, newer ? { ...newer, clearOneShot: newer.clearOneShot || p.clearOneShot } : p);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
