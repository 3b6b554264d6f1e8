// Clears a host's one-shot boot override (rescue, memtest, localdisk, a one-shot image) once
// the host reports up: the override was for this boot only, and the next one boots the role.
// Batched like the events (one UPDATE per tick for every host that came up); a failed batch is
// retried on the next tick, never dropped. Unlike the host's live state (written from boot
// sessions by the event writer), this is a change bootd decides on, so the change log trigger
// records it and every bootd's view follows.
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { OneShotOverrideTable } from '../store/agent-records.ts';

export interface OneShotOverrideSink {
  clearAfterUp(hostId: string): void;
}

export class OneShotOverrideClearer implements OneShotOverrideSink {
  private pending = new Set<string>();
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: { table: OneShotOverrideTable; log: Logger; metrics: Metrics; flushIntervalMs?: number }) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  clearAfterUp(hostId: string): void {
    this.pending.add(hostId);
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushOnce().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const ids = [...this.pending];
    this.pending = new Set();
    try {
      const cleared = await this.opts.table.clearOneShotOverrides(ids);
      if (cleared) this.opts.metrics.inc('fleetboot_one_shot_overrides_cleared_total', 'One-shot boot overrides cleared after the host came up', {}, cleared);
    } catch (err) {
      this.opts.log.warn('one-shot overrides could not be cleared; retrying', { hosts: ids.length, error: (err as Error).message });
      for (const id of ids) this.pending.add(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
