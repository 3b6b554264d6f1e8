// Event retention: boot events older than the horizon (FLEETBOOT_EVENT_RETENTION_DAYS, 30 by
// default) are deleted in bounded batches, each its own short transaction, so pruning a large
// backlog never holds locks long or blocks the event writer; boot sessions that ended before the
// horizon go after their events.
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { EventStore } from '../store/events.ts';

export const defaultRetentionDays = 30;

export interface RetentionOptions {
  store: Pick<EventStore, 'pruneEventsBefore' | 'pruneSessionsEndedBefore'>;
  retentionDays: number;
  batchRows?: number;
  /** Bound on one pass; the rest waits for the next pass. */
  maxBatches?: number;
}

export async function pruneOldEvents(opts: RetentionOptions, now = new Date()): Promise<{ events: number; sessions: number }> {
  const cutoff = new Date(now.getTime() - opts.retentionDays * 86_400_000).toISOString();
  const batchRows = opts.batchRows ?? 5000;
  const maxBatches = opts.maxBatches ?? 200;
  let events = 0;
  let sessions = 0;
  for (let i = 0; i < maxBatches; i++) {
    const deleted = await opts.store.pruneEventsBefore(cutoff, batchRows);
    events += deleted;
    if (deleted < batchRows) break;
  }
  for (let i = 0; i < maxBatches; i++) {
    const deleted = await opts.store.pruneSessionsEndedBefore(cutoff, batchRows);
    sessions += deleted;
    if (deleted < batchRows) break;
  }
  return { events, sessions };
}

/** Prunes once soon after start and then every intervalMs (1 h by default). */
export function startEventRetention(opts: RetentionOptions & { log: Logger; metrics: Metrics; intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const pass = () => {
    running = pruneOldEvents(opts)
      .then((r) => {
        opts.metrics.inc('fleetboot_events_pruned_total', 'Boot events deleted by retention', {}, r.events);
        if (r.events > 0) opts.log.info('pruned old boot events', { ...r, retentionDays: opts.retentionDays });
      })
      .catch((err) => opts.log.warn('event retention pass failed', { error: (err as Error).message }));
  };
  const first = setTimeout(pass, 60_000);
  first.unref();
  const timer = setInterval(pass, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
