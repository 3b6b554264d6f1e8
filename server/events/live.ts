// Live boot events for the console (Server-Sent Events). One hub per web process holds one
// LISTEN connection (channel fleetboot_events, NOTIFY'd once per committed event batch) and a
// ring of the latest events read in seq order; each subscriber is a cursor (the last seq it was
// sent) over that ring. Delivery is pulled by the subscriber's stream: a browser that doesn't
// read stops pulling, costs nothing but its cursor, and never slows the hub, other browsers or
// bootd; when it reads again it continues from the ring, or from "BootEvent" in the database if
// the ring has moved past it. Resume after a reconnect is the same path (Last-Event-ID = seq).
// Events commit in seq order (the writers' event-order lock), so "seq > cursor" loses nothing.
// NOTIFY is only a wake-up: the hub also polls, and reads past its head after a reconnect.
import pg from 'pg';
import type { BootEventData } from '../../lib/boot-event.ts';
import { databaseUrl } from '../db/client.ts';

export interface LiveFilter {
  hostId?: string;
  roleId?: string;
  types?: string[];
}

interface LiveEvent {
  seq: bigint;
  hostId: string | null;
  roleId: string | null;
  type: string;
  /** The SSE frame, ready to send. */
  frame: string;
}

interface EventRow {
  seq: string;
  id: string;
  hostId: string | null;
  hostname: string | null;
  roleId: string | null;
  mac: string | null;
  sessionId: string | null;
  source: string;
  type: string;
  at: Date;
  detail: Record<string, unknown>;
  bytesDone: string | null;
  bytesTotal: string | null;
}

const ringEvents = 20_000;
/**
 * FLEETBOOT_SSE_TIMING=1 (the events benchmark): each frame carries, as SSE comments a browser
 * ignores, when the hub read it from the database and when its chunk was handed to the stream.
 */
const sseTiming = process.env.FLEETBOOT_SSE_TIMING === '1';
const pageEvents = 500;
const pollMs = 2000;
const reconnectMs = 1000;
export const defaultHeartbeatMs = 15_000;

const selectEvents = `SELECT e.seq::text AS seq, e.id, e."hostId", h.hostname, h."roleId", e.mac, e."sessionId", e.source, e.type, e.at, e.detail,
  e."bytesDone"::text AS "bytesDone", e."bytesTotal"::text AS "bytesTotal"
  FROM "BootEvent" e LEFT JOIN "Host" h ON h.id = e."hostId"`;

function toLive(r: EventRow): LiveEvent {
  const data: BootEventData = {
    seq: r.seq, id: r.id, hostId: r.hostId, hostname: r.hostname, roleId: r.roleId, mac: r.mac, sessionId: r.sessionId,
    source: r.source, type: r.type, at: r.at.toISOString(), detail: r.detail,
    bytesDone: r.bytesDone === null ? null : Number(r.bytesDone), bytesTotal: r.bytesTotal === null ? null : Number(r.bytesTotal),
  };
  const name = r.type === 'host-state' ? 'host-state' : 'boot-event';
  const timing = sseTiming ? `: read ${Date.now()}\n` : '';
  return { seq: BigInt(r.seq), hostId: r.hostId, roleId: r.roleId, type: r.type, frame: `${timing}id: ${r.seq}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n` };
}

function matches(e: LiveEvent, f: LiveFilter): boolean {
  return (!f.hostId || e.hostId === f.hostId) && (!f.roleId || e.roleId === f.roleId) && (!f.types || f.types.includes(e.type));
}

export interface HubStats {
  subscribers: number;
  head: string;
  catchUpReads: number;
  notifications: number;
}

export class EventHub {
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private ring: LiveEvent[] = [];
  /** The ring holds every event with floor < seq <= head. */
  private floor = 0n;
  private head = 0n;
  private started: Promise<void> | null = null;
  private fetching: Promise<void> | null = null;
  private fetchAgain = false;
  private wake: { promise: Promise<void>; resolve: () => void };
  private closed = false;
  readonly stats: HubStats = { subscribers: 0, head: '0', catchUpReads: 0, notifications: 0 };

  constructor(private readonly url = databaseUrl()) {
    this.pool = new pg.Pool({ connectionString: url, max: 4 });
    this.pool.on('error', () => undefined);
    this.wake = this.newWake();
  }

  private newWake() {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.connectListener();
      const res = await this.pool.query<{ max: string | null }>('SELECT max(seq)::text AS max FROM "BootEvent"');
      this.head = this.floor = BigInt(res.rows[0]?.max ?? 0);
      this.stats.head = this.head.toString();
      const timer = setInterval(() => void this.fetchNew(), pollMs);
      timer.unref();
    })();
    return this.started;
  }

  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const retry = () => {
      if (this.listener !== client || this.closed) return;
      this.listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void this.connectListener().then(() => this.fetchNew()).catch(() => undefined), reconnectMs).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => {
      this.stats.notifications++;
      void this.fetchNew();
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query('LISTEN fleetboot_events');
    } catch (err) {
      retry();
      if (!this.started) throw err;
    }
  }

  /** Reads committed events past the head into the ring and wakes the waiting subscribers. */
  fetchNew(): Promise<void> {
    if (this.fetching) {
      this.fetchAgain = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.fetchAgain = false;
        for (;;) {
          const res = await this.pool.query<EventRow>(`${selectEvents} WHERE e.seq > $1 ORDER BY e.seq LIMIT 2000`, [this.head.toString()]);
          if (res.rows.length === 0) break;
          for (const row of res.rows) this.ring.push(toLive(row));
          this.head = this.ring[this.ring.length - 1]!.seq;
          if (this.ring.length > ringEvents) {
            const drop = this.ring.length - ringEvents;
            this.floor = this.ring[drop - 1]!.seq;
            this.ring = this.ring.slice(drop);
          }
          this.stats.head = this.head.toString();
          const w = this.wake;
          this.wake = this.newWake();
          w.resolve();
          if (res.rows.length < 2000) break;
        }
      } while (this.fetchAgain);
    })()
      .catch(() => undefined)
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  /** The newest seq the hub has read: where a subscription without a resume point starts. */
  currentSeq(): bigint {
    return this.head;
  }

  /**
   * Up to pageEvents matching events after `cursor`, and the cursor to continue from (it moves
   * past events that don't match, too).
   */
  async next(cursor: bigint, filter: LiveFilter): Promise<{ frames: string[]; cursor: bigint }> {
    if (cursor >= this.floor) {
      const ring = this.ring;
      let lo = 0;
      let hi = ring.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ring[mid]!.seq <= cursor) lo = mid + 1;
        else hi = mid;
      }
      const frames: string[] = [];
      let next = cursor;
      for (let i = lo; i < ring.length && frames.length < pageEvents; i++) {
        const e = ring[i]!;
        if (matches(e, filter)) frames.push(e.frame);
        next = e.seq;
      }
      return { frames, cursor: next };
    }
    // Behind the ring: read from the database, up to the hub's head.
    this.stats.catchUpReads++;
    const head = this.head;
    const params: unknown[] = [cursor.toString(), head.toString()];
    let where = 'e.seq > $1 AND e.seq <= $2';
    if (filter.hostId) where += ` AND e."hostId" = $${params.push(filter.hostId)}::uuid`;
    if (filter.roleId) where += ` AND h."roleId" = $${params.push(filter.roleId)}::uuid`;
    if (filter.types) where += ` AND e.type = ANY($${params.push(filter.types)}::text[])`;
    const res = await this.pool.query<EventRow>(`${selectEvents} WHERE ${where} ORDER BY e.seq LIMIT ${pageEvents}`, params);
    const events = res.rows.map(toLive);
    return { frames: events.map((e) => e.frame), cursor: events.length === pageEvents ? events[events.length - 1]!.seq : head };
  }

  /** Resolves true when new events arrive, false after timeoutMs or when the signal aborts. */
  waitForEvents(timeoutMs: number, signal?: AbortSignal, wake: Promise<void> = this.wake.promise): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = (v: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = () => done(false);
      timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      void wake.then(() => done(true));
    });
  }

  /**
   * A text/event-stream body for one subscriber. `after` resumes after that seq; without it the
   * stream starts at the newest event (the caller rendered what came before).
   */
  async subscribe(filter: LiveFilter, after: bigint | null, opts: { heartbeatMs?: number; signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> {
    await this.start();
    let cursor = after ?? this.head;
    const encoder = new TextEncoder();
    const heartbeatMs = opts.heartbeatMs ?? defaultHeartbeatMs;
    const aborted = new AbortController();
    opts.signal?.addEventListener('abort', () => aborted.abort(), { once: true });
    this.stats.subscribers++;
    let counted = true;
    const release = () => {
      if (counted) this.stats.subscribers--;
      counted = false;
      aborted.abort();
    };
    return new ReadableStream<Uint8Array>(
      {
        // The first frame says where the stream starts, and how soon to reconnect.
        start: (controller) => controller.enqueue(encoder.encode(`retry: 2000\n: from seq ${cursor}\n\n`)),
        pull: async (controller) => {
          try {
            for (;;) {
              if (aborted.signal.aborted) return;
              // Taken before reading, so events arriving meanwhile still wake this subscriber.
              const wake = this.wake.promise;
              const page = await this.next(cursor, filter);
              cursor = page.cursor;
              if (page.frames.length > 0) {
                controller.enqueue(encoder.encode(sseTiming ? `: push ${Date.now()}\n${page.frames.join('')}` : page.frames.join('')));
                return;
              }
              if (cursor < this.head) continue;
              const woke = await this.waitForEvents(heartbeatMs, aborted.signal, wake);
              if (aborted.signal.aborted) return;
              if (!woke) {
                controller.enqueue(encoder.encode(': heartbeat\n\n'));
                return;
              }
            }
          } catch (err) {
            release();
            controller.error(err);
          }
        },
        cancel: () => release(),
      },
      // One chunk queued at most: a reader that stops reading stops the pulls.
      { highWaterMark: 1 },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

const globalForHub = globalThis as unknown as { fleetbootEventHub?: EventHub };

/** The web process's one hub (kept on globalThis: route modules are bundled separately). */
export function eventHub(): EventHub {
  globalForHub.fleetbootEventHub ??= new EventHub();
  return globalForHub.fleetbootEventHub;
}
