// Boot events to Postgres in batches (group commit), never blocking the caller and never lost
// (DESIGN.md "Events spool"): a batch that can't be written is appended to an fsynced spool
// file and replayed with ON CONFLICT DO NOTHING (events carry UUIDs) once the database is
// back; spooled lines are removed only after their commit. Events are encoded as they are
// recorded; one commit is in flight at a time and the next batch (everything queued meanwhile)
// goes when it returns, batches starting at least 25 ms apart while events keep coming
// (defaultMinBatchIntervalMs says why). Boot sessions are kept in memory between batches (boot-sessions.ts
// SessionBook says when they are read again).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BootEventRecord } from '../../lib/boot-event.ts';
import type { Logger } from '../bootd-context.ts';
import type { Metrics } from '../metrics.ts';
import type { BootEventInput, EventSink } from './event-sink.ts';
import { EventSpool } from './event-spool.ts';
import { SessionBook, assignSessions, sessionGapSeconds, sessionRowsJson, type SessionAssignment } from './boot-sessions.ts';
import { hostStateOfSession } from './host-state.ts';
import type { EventStore, HostSeen } from '../store/events.ts';

const bootDurationBuckets = [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];
const eventLagBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export interface EventWriterOptions {
  /** PostgreSQL (store/events.ts); the writer's SQL is there. */
  store: EventStore;
  stateDir: string;
  log: Logger;
  metrics: Metrics;
  /** Slow timer: retries a spool replay when no events arrive (events themselves schedule flushes). */
  flushIntervalMs?: number;
  /** How long the first event waits for company before an idle writer starts a batch. */
  flushDelayMs?: number;
  /** Most events in one transaction. */
  maxBatch?: number;
  /** defaultMinBatchIntervalMs: batches start at least this far apart unless a full one waits. */
  minBatchIntervalMs?: number;
  /** FLEETBOOT_SESSION_GAP_SECONDS by default (boot-sessions.ts). */
  sessionGapSeconds?: number;
  /** close() waits this long for the database, then spools what is left (default 10 s). */
  closeTimeoutMs?: number;
  /** Called after each committed batch (the events benchmark's lag breakdown). */
  onCommitted?: (batch: BatchTiming) => void;
}

export interface BatchTiming {
  eventIds: string[];
  /** Each event's time (ms since the epoch), as recorded. */
  eventAtMs: number[];
  /** When the batch was taken from the queue, the event-order lock held, and the commit returned. */
  takenAtMs: number;
  lockedAtMs: number;
  committedAtMs: number;
}

interface QueuedEvent {
  event: BootEventRecord;
  /** The event as JSON, encoded when recorded (while an earlier batch commits). */
  json: string;
}

const defaultMaxBatch = 2000;
/**
 * While events keep coming, a batch starts at least this long after the previous one did (a full
 * batch goes at once; the first event after a quiet spell waits only flushDelayMs). Taken as soon
 * as each commit returned, a steady flow went out as a transaction every few milliseconds with a
 * handful of events each, and each transaction's fixed cost (lock, max(seq), session read, the
 * statement, WAL flush) dominated: bench/dhcp at 750 DORA/s (~1,700 events/s) cost PostgreSQL 74 %
 * of a core and bootd 31 %; with 25 ms between batches 16 % and 20 %. It adds at most this much
 * to an event's lag (bench/events' target: p95 < 1 s).
 */
const defaultMinBatchIntervalMs = 25;
/** SQLSTATE foreign_key_violation. */
const foreignKeyViolation = '23503';

/**
 * PostgreSQL refuses some values for good, whatever the retry: class 22 (data exception, e.g.
 * a NUL in jsonb) and 23 (integrity) other than the foreign key case handled above. Such an
 * event must not hold back the events behind it.
 */
function isPermanentRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== foreignKeyViolation));
}

/** PostgreSQL text and jsonb can't hold U+0000; client-supplied strings (DHCP options, agent facts) can. */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(/\u0000/g, '\uFFFD') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [withoutNul(k) as string, withoutNul(v)]));
  }
  return value;
}

export class EventWriter implements EventSink {
  private queue: QueuedEvent[] = [];
  private flushing: Promise<void> | null = null;
  private soon: NodeJS.Timeout | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly spoolFile: EventSpool;
  private readonly book = new SessionBook();
  private readonly recordedBySource = new Map<string, number>();
  /** performance.now() when the last batch was taken (defaultMinBatchIntervalMs). */
  private lastBatchStartMs = -Infinity;
  private readonly gapSeconds: number;
  private closed = false;
  /** The batch being written now: spooled too if close() gives up waiting for it. */
  private inFlight: QueuedEvent[] | null = null;
  /** close() gave up and spooled: a late failure of the batch in flight must not spool it twice. */
  private abandoned = false;
  /** close() has returned: nothing flushes any more, so an event recorded now goes to the spool. */
  private finished = false;

  constructor(private readonly opts: EventWriterOptions) {
    fs.mkdirSync(opts.stateDir, { recursive: true });
    this.spoolFile = new EventSpool(path.join(opts.stateDir, 'events-spool.jsonl'));
    this.gapSeconds = opts.sessionGapSeconds ?? sessionGapSeconds();
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  record(event: BootEventInput): void {
    // The detail is taken as it is, not copied: callers hand over a fresh object.
    let stored: BootEventRecord = {
      id: randomUUID(),
      hostId: event.hostId ?? null,
      mac: event.mac || null,
      source: event.source,
      type: event.type,
      at: (event.at ?? new Date()).toISOString(),
      detail: event.detail ?? {},
      bytesDone: event.bytesDone ?? null,
      bytesTotal: event.bytesTotal ?? null,
    };
    let json = JSON.stringify(stored);
    // JSON writes U+0000 as \u0000: only an event that holds one (client-sent text, rare) is copied without it.
    if (json.includes('\\u0000')) {
      stored = { ...stored, mac: stored.mac === null ? null : withoutNul(stored.mac) as string, type: withoutNul(stored.type) as string, detail: withoutNul(stored.detail) as Record<string, unknown> };
      json = JSON.stringify(stored);
    }
    if (this.finished) {
      // Recorded after close() returned (a caller's answer came late): kept for the next start.
      this.spool([{ event: stored, json }]);
      this.opts.metrics.inc('fleetboot_events_late_spooled_total', 'Events recorded after the writer closed, spooled for the next start');
      this.opts.log.warn('an event came after the event writer closed; spooled for the next start', { type: stored.type, mac: stored.mac });
      return;
    }
    this.queue.push({ event: stored, json });
    // Counted here, added to Metrics when a batch is taken: no label set built per event.
    this.recordedBySource.set(event.source, (this.recordedBySource.get(event.source) ?? 0) + 1);
    // Group commit: an idle writer waits flushDelayMs for more events; a busy one takes
    // everything queued when its commit returns, at most every minBatchIntervalMs (flush's loop).
    if (!this.flushing && !this.soon && !this.closed) {
      this.soon = setTimeout(() => {
        this.soon = null;
        void this.flush();
      }, this.opts.flushDelayMs ?? 5);
    }
  }

  /** Events waiting in memory or in the spool file. */
  pending(): number {
    return this.queue.length + this.spoolFile.count();
  }

  /** Events in the spool file, waiting for the database. */
  spooled(): number {
    return this.spoolFile.count();
  }

  /**
   * Writes everything queued (and anything spooled first); resolves once the queue is empty or a
   * batch had to be spooled. One commit is in flight at a time, which keeps this writer's
   * batches in seq order; events recorded meanwhile are already encoded and go right after it.
   */
  flush(): Promise<void> {
    if (this.soon) {
      clearTimeout(this.soon);
      this.soon = null;
    }
    this.flushing ??= (async () => {
      try {
        for (;;) {
          await this.waitForBatchInterval();
          this.lastBatchStartMs = performance.now();
          if (!(await this.flushOnce())) break;
          if (this.queue.length === 0) break;
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** defaultMinBatchIntervalMs: waits unless the writer is closing or a full batch is queued. */
  private async waitForBatchInterval(): Promise<void> {
    if (this.closed || this.queue.length >= (this.opts.maxBatch ?? defaultMaxBatch)) return;
    const waitMs = this.lastBatchStartMs + (this.opts.minBatchIntervalMs ?? defaultMinBatchIntervalMs) - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /** One batch; false when it (or the spool) could not be written. */
  private async flushOnce(): Promise<boolean> {
    // The spool holds older events: they go first.
    if (this.spoolFile.exists()) {
      const ok = await this.replaySpool();
      if (!ok) {
        this.spool(this.takeQueue(Infinity));
        return false;
      }
    }
    const batch = this.takeQueue(this.opts.maxBatch ?? defaultMaxBatch);
    if (batch.length === 0) return true;
    this.inFlight = batch;
    try {
      await this.insertIsolating(batch);
      this.opts.metrics.inc('fleetboot_event_batches_total', 'Event batches written', { result: 'committed' });
      return true;
    } catch (err) {
      if (this.abandoned) return false;
      this.opts.metrics.inc('fleetboot_event_batches_total', 'Event batches written', { result: 'spooled' });
      this.opts.log.warn('events could not be written; spooled to disk', { events: batch.length, error: (err as Error).message });
      this.spool(batch);
      return false;
    } finally {
      this.inFlight = null;
    }
  }

  /**
   * insert(), retried once on a vanished session (its host was deleted or retention pruned it:
   * the book is dropped by then, so the retry reads sessions from the database), and with any
   * event PostgreSQL refuses for good set aside in events-rejected.jsonl: the batch is halved
   * until the refused events are alone, so one bad event never blocks the ones behind it.
   * Transient failures (connection, timeout) are thrown: the caller spools.
   */
  private async insertIsolating(batch: QueuedEvent[], opts: { mayRepeat?: boolean } = {}): Promise<void> {
    try {
      try {
        await this.insert(batch, opts);
      } catch (err) {
        if ((err as { code?: string }).code !== foreignKeyViolation) throw err;
        await this.insert(batch, opts);
      }
    } catch (err) {
      if (!isPermanentRefusal(err)) throw err;
      if (batch.length === 1) {
        this.reject(batch[0]!, err as Error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.insertIsolating(batch.slice(0, half), opts);
      await this.insertIsolating(batch.slice(half), opts);
    }
  }

  private reject(event: QueuedEvent, err: Error): void {
    const fd = fs.openSync(path.join(this.opts.stateDir, 'events-rejected.jsonl'), 'a', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify({ error: err.message, event: event.event }) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.opts.metrics.inc('fleetboot_events_rejected_total', 'Events PostgreSQL refused for good, kept in events-rejected.jsonl');
    this.opts.log.error('an event was refused by the database and set aside', { type: event.event.type, mac: event.event.mac, error: err.message });
  }

  private takeQueue(max: number): QueuedEvent[] {
    this.countRecorded();
    if (this.queue.length <= max) {
      const batch = this.queue;
      this.queue = [];
      return batch;
    }
    return this.queue.splice(0, max);
  }

  private countRecorded(): void {
    for (const [source, n] of this.recordedBySource) this.opts.metrics.inc('fleetboot_events_recorded_total', 'Boot events recorded by bootd', { source }, n);
    this.recordedBySource.clear();
  }

  private spool(batch: QueuedEvent[]): void {
    this.spoolFile.append(batch.map((e) => e.json));
  }

  private async replaySpool(): Promise<boolean> {
    const events: QueuedEvent[] = [];
    const { torn } = this.spoolFile.read((line) => {
      try {
        events.push({ event: JSON.parse(line) as BootEventRecord, json: line });
        return true;
      } catch {
        return false;
      }
    });
    // A line torn by a crash mid-append: its events were never acknowledged to anyone.
    if (torn > 0) this.opts.metrics.inc('fleetboot_event_spool_torn_lines_total', 'Unreadable spool lines skipped', {}, torn);
    try {
      // Sessions are read again: what the book remembers predates the spooled events.
      this.book.forget();
      for (let i = 0; i < events.length; i += defaultMaxBatch) await this.insertIsolating(events.slice(i, i + defaultMaxBatch), { mayRepeat: true });
    } catch {
      return false;
    }
    this.spoolFile.remove();
    this.opts.log.info('replayed spooled events', { events: events.length });
    return true;
  }

  /**
   * One transaction, three round trips: take the event-order lock (and see whether anyone else
   * wrote events since this writer's last commit), then one statement writes the sessions, the
   * events, each host's last-seen and state and a host-state event for each state change, then
   * COMMIT. A spool replay may repeat events already committed (crash between commit and spool
   * removal): those are left out before sessions are assigned, so a replay never moves a
   * session twice.
   */
  private async insert(batch: QueuedEvent[], opts: { mayRepeat?: boolean } = {}): Promise<void> {
    const takenAtMs = Date.now();
    let assigned: SessionAssignment;
    let lockedAtMs = takenAtMs;
    try {
      let newest: string;
      ({ newest, sessions: assigned } = await this.opts.store.inEventOrder(async (tx, head) => {
        lockedAtMs = Date.now();
        // Someone else (the stall watch, another bootd) wrote events, maybe sessions: read them again.
        if (this.book.head !== head) this.book.forget();
        if (opts.mayRepeat && batch.length > 0) {
          const known = await tx.storedEventIds(batch.map((e) => e.event.id));
          batch = batch.filter((e) => !known.has(e.event.id));
        }
        const events = batch.map((q) => q.event);
        // An event without a MAC (HTTP tied to a host by its address) belongs to its host's MAC.
        const hostsWithoutMac = [...new Set(events.filter((e) => !e.mac && e.hostId).map((e) => e.hostId!))];
        const macOfHost = hostsWithoutMac.length > 0 ? await tx.macsOfHosts(hostsWithoutMac) : new Map<string, string>();
        const macOf = (e: BootEventRecord) => e.mac ?? (e.hostId ? macOfHost.get(e.hostId) ?? null : null);
        const unknown = [...new Set(events.map(macOf).filter((m): m is string => m !== null && !this.book.knows(m)))];
        if (unknown.length > 0) this.book.remember(await tx.latestSessions(unknown));
        const sessions = assignSessions(events, (mac) => this.book.latest(mac), macOf, this.gapSeconds);

        // Each host once: last seen (a host seen on the wire is alive) and the state its latest session gives it.
        const hosts = new Map<string, HostSeen>();
        for (const e of events) {
          if (!e.hostId) continue;
          const h = hosts.get(e.hostId);
          if (!h) hosts.set(e.hostId, { id: e.hostId, seen: e.at, state: null, phase: null, sessionId: null, at: null });
          else if (h.seen === null || e.at > h.seen) h.seen = e.at;
        }
        for (const [hostId, s] of sessions.hostSessions) {
          const h = hosts.get(hostId) ?? { id: hostId, seen: null, state: null, phase: null, sessionId: null, at: null };
          Object.assign(h, { state: hostStateOfSession(s.phase, s.outcome), phase: s.phase, sessionId: s.sessionId, at: s.at });
          hosts.set(hostId, h);
        }
        // n keeps seq in recorded order; the session id is spliced into the JSON encoded at record time.
        const eventsJson = `[${batch.map((q, n) => {
          const sessionId = sessions.sessionOf.get(q.event.id);
          return `{"n":${n},"sessionId":${sessionId ? `"${sessionId}"` : 'null'},${q.json.slice(1)}`;
        }).join(',')}]`;
        const result = await tx.writeBatch({ eventsJson, sessionsJson: sessionRowsJson(sessions.changed), hosts: [...hosts.values()] });
        return { newest: result.head ?? head, sessions };
      }));
      this.book.remember(assigned.latest);
      this.book.head = newest;
    } catch (err) {
      // Whatever the book assumed may not have been written.
      this.book.forget();
      throw err;
    }
    const committedAtMs = Date.now();
    const eventAtMs = batch.map((q) => Date.parse(q.event.at));
    for (const at of eventAtMs) {
      this.opts.metrics.observe('fleetboot_event_lag_seconds', 'Time from a boot event to its commit', eventLagBuckets, {}, Math.max(0, committedAtMs - at) / 1000);
    }
    for (const f of assigned.finished) {
      this.opts.metrics.inc('fleetboot_boots_total', 'Boot attempts ended, by outcome', { outcome: f.outcome });
      this.opts.metrics.observe('fleetboot_boot_duration_seconds', 'Boot attempt duration, first DHCP to its end, by outcome', bootDurationBuckets, { outcome: f.outcome }, f.durationSeconds);
    }
    this.opts.onCommitted?.({ eventIds: batch.map((q) => q.event.id), eventAtMs, takenAtMs, lockedAtMs, committedAtMs });
  }

  /**
   * Writes what is queued; if the database doesn't answer within closeTimeoutMs (a link cut
   * hangs rather than refuses), spools the batch in flight and the queue instead, so stopping
   * bootd never loses an event (a batch that commits after all is skipped on replay by its UUIDs).
   * An event recorded after close() returned goes straight to the spool.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // Each flush commits or spools what it took: the loop ends once nothing is queued.
    const written = (async () => {
      do await this.flush(); while (this.queue.length > 0);
    })();
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      written.then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), this.opts.closeTimeoutMs ?? 10_000); }),
    ]);
    clearTimeout(timer);
    this.finished = true;
    // Anything recorded between the last flush and now (a promise callback) is kept, not dropped.
    if (!gaveUp) return this.spool(this.takeQueue(Infinity));
    this.abandoned = true;
    const left = [...(this.inFlight ?? []), ...this.takeQueue(Infinity)];
    this.spool(left);
    this.opts.log.warn('the database did not answer while stopping; events spooled for the next start', { events: left.length });
  }
}
