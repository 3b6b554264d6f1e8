// Boot events to Postgres in batches (group commit), never blocking the caller and never lost
// (DESIGN.md "Events spool"): a batch that can't be written is appended to an fsynced spool
// file and replayed with ON CONFLICT DO NOTHING (events carry UUIDs) once the database is
// back; spooled lines are removed only after their commit.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { BootEventInput, EventSink } from './event-sink.ts';
import { assignSessions } from './boot-sessions.ts';
import { applyHostStates, hostStateOfSession } from './host-state.ts';

/**
 * Transaction-level advisory lock every writer of "BootEvent" takes before inserting: commits
 * then happen in seq order, so a reader that has seen seq N has seen every committed seq below
 * it (the SSE streams resume by seq and must never skip an event committed late).
 */
export const eventOrderLockKey = 7_305_001;

const bootDurationBuckets = [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const eventLagBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

interface StoredEvent {
  id: string;
  hostId: string | null;
  mac: string | null;
  source: string;
  type: string;
  at: string;
  detail: Record<string, unknown>;
  bytesDone: number | null;
  bytesTotal: number | null;
}

export interface EventWriterOptions {
  pool: pg.Pool;
  stateDir: string;
  log: Logger;
  metrics: Metrics;
  flushIntervalMs?: number;
  maxBatch?: number;
}

const insertChunk = 1000;

export class EventWriter implements EventSink {
  private queue: StoredEvent[] = [];
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly spoolPath: string;
  private closed = false;

  constructor(private readonly opts: EventWriterOptions) {
    fs.mkdirSync(opts.stateDir, { recursive: true });
    this.spoolPath = path.join(opts.stateDir, 'events-spool.jsonl');
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 100);
    this.timer.unref();
  }

  record(event: BootEventInput): void {
    this.queue.push({
      id: randomUUID(),
      hostId: event.hostId ?? null,
      mac: event.mac ?? null,
      source: event.source,
      type: event.type,
      at: (event.at ?? new Date()).toISOString(),
      detail: event.detail ?? {},
      bytesDone: event.bytesDone ?? null,
      bytesTotal: event.bytesTotal ?? null,
    });
    this.opts.metrics.inc('fleetboot_events_recorded_total', 'Boot events recorded by bootd', { source: event.source });
    if (this.queue.length >= (this.opts.maxBatch ?? 2000)) void this.flush();
  }

  /** Events waiting in memory or in the spool file. */
  pending(): number {
    return this.queue.length + this.spooledCount();
  }

  private spooledCount(): number {
    try {
      return fs.readFileSync(this.spoolPath, 'utf8').split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flushOnce().finally(() => { this.flushing = null; });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    // The spool holds older events: they go first.
    if (fs.existsSync(this.spoolPath)) {
      const ok = await this.replaySpool();
      if (!ok) {
        this.spool(this.takeQueue());
        return;
      }
    }
    const batch = this.takeQueue();
    if (batch.length === 0) return;
    try {
      await this.insert(batch);
      this.opts.metrics.inc('fleetboot_event_batches_total', 'Event batches written', { result: 'committed' });
    } catch (err) {
      this.opts.metrics.inc('fleetboot_event_batches_total', 'Event batches written', { result: 'spooled' });
      this.opts.log.warn('events could not be written; spooled to disk', { events: batch.length, error: (err as Error).message });
      this.spool(batch);
    }
  }

  private takeQueue(): StoredEvent[] {
    const batch = this.queue;
    this.queue = [];
    return batch;
  }

  private spool(batch: StoredEvent[]): void {
    if (batch.length === 0) return;
    const fd = fs.openSync(this.spoolPath, 'a', 0o600);
    try {
      fs.writeSync(fd, batch.map((e) => JSON.stringify(e)).join('\n') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private async replaySpool(): Promise<boolean> {
    let lines: string[];
    try {
      lines = fs.readFileSync(this.spoolPath, 'utf8').split('\n').filter(Boolean);
    } catch {
      return true;
    }
    const events: StoredEvent[] = [];
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as StoredEvent);
      } catch {
        // A line torn by a crash mid-append: its events were never acknowledged to anyone.
        this.opts.metrics.inc('fleetboot_event_spool_torn_lines_total', 'Unreadable spool lines skipped');
      }
    }
    try {
      await this.insert(events, { mayRepeat: true });
    } catch {
      return false;
    }
    fs.rmSync(this.spoolPath, { force: true });
    this.opts.log.info('replayed spooled events', { events: events.length });
    return true;
  }

  /**
   * One transaction: the events, their boot sessions, the hosts' last-seen and state. A spool
   * replay may repeat events already committed (crash between commit and spool removal): those
   * are left out before sessions are assigned, so a replay never moves a session twice.
   */
  private async insert(events: StoredEvent[], opts: { mayRepeat?: boolean } = {}): Promise<void> {
    const client = await this.opts.pool.connect();
    let finished: Awaited<ReturnType<typeof assignSessions>>['finished'] = [];
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [eventOrderLockKey]);
      if (opts.mayRepeat && events.length > 0) {
        const stored = await client.query<{ id: string }>('SELECT id FROM "BootEvent" WHERE id = ANY($1::uuid[])', [events.map((e) => e.id)]);
        const known = new Set(stored.rows.map((r) => r.id));
        events = events.filter((e) => !known.has(e.id));
      }
      const sessions = await assignSessions(client, events);
      finished = sessions.finished;
      for (let i = 0; i < events.length; i += insertChunk) {
        const chunk = events.slice(i, i + insertChunk).map((e, n) => ({ ...e, sessionId: sessions.sessionOf.get(e.id) ?? null, n }));
        // ORDER BY n: seq follows the order events were recorded in.
        await client.query(
          `INSERT INTO "BootEvent" (id, "hostId", mac, "sessionId", source, type, at, detail, "bytesDone", "bytesTotal")
           SELECT e.id, h.id, e.mac, e."sessionId", e.source, e.type, e.at, e.detail, e."bytesDone", e."bytesTotal"
           FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, "hostId" uuid, mac text, "sessionId" uuid, source text, type text, at timestamptz,
                detail jsonb, "bytesDone" bigint, "bytesTotal" bigint, n int)
           LEFT JOIN "Host" h ON h.id = e."hostId"
           ORDER BY e.n
           ON CONFLICT (id) DO NOTHING`,
          [JSON.stringify(chunk)],
        );
        // A host seen on the wire is alive: last-seen is written with the batch, not per packet.
        await client.query(
          `UPDATE "Host" h SET "lastSeenAt" = s.at FROM (
             SELECT e."hostId" AS id, max(e.at) AS at FROM jsonb_to_recordset($1::jsonb) AS e("hostId" uuid, at timestamptz)
             WHERE e."hostId" IS NOT NULL GROUP BY e."hostId") s
           WHERE h.id = s.id AND (h."lastSeenAt" IS NULL OR h."lastSeenAt" < s.at)`,
          [JSON.stringify(chunk)],
        );
      }
      await applyHostStates(client, [...sessions.hostSessions].map(([hostId, s]) => ({ hostId, state: hostStateOfSession(s.phase, s.outcome), phase: s.phase, sessionId: s.sessionId, at: s.at })));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    const committedAtMs = Date.now();
    for (const e of events) {
      this.opts.metrics.observe('fleetboot_event_lag_seconds', 'Time from a boot event to its commit', eventLagBuckets, {}, Math.max(0, committedAtMs - Date.parse(e.at)) / 1000);
    }
    for (const f of finished) {
      this.opts.metrics.inc('fleetboot_boots_total', 'Boot attempts ended, by outcome', { outcome: f.outcome });
      this.opts.metrics.observe('fleetboot_boot_duration_seconds', 'Boot attempt duration, first DHCP to its end, by outcome', bootDurationBuckets, { outcome: f.outcome }, f.durationSeconds);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
    if (this.queue.length > 0) await this.flush();
  }
}
