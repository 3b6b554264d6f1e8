// bootd's boot events, boot sessions and hosts' live state in PostgreSQL: the event writer's
// batch (events/event-writer.ts), the stall watch's pass (events/stall-watch.ts), retention
// (events/event-retention.ts) and the fleet gauges. Every writer of "BootEvent" holds the
// event-order lock while it writes; a host's state and its `bootd`/`host-state` event are written
// by one statement (writeBatchSql), whoever changes the state (events/host-state.ts says why).
import type pg from 'pg';
import type { BootPhase } from '../../lib/boot-phase.ts';
import type { HostState } from '../../lib/host-states.ts';
import { inTransaction } from './transaction.ts';

/**
 * Transaction-level advisory lock every writer of "BootEvent" takes before inserting: commits
 * then happen in seq order, so a reader that has seen seq N has seen every committed seq below
 * it (the SSE streams resume by seq and must never skip an event committed late).
 */
export const eventOrderLockKey = 7_305_001;
/** The stall watch's pass: one bootd at a time does it. */
const watchLockKey = 7_305_002;

/** A "BootSession" row, with the time of its newest event (boot-sessions.ts keeps the latest of each MAC). */
export interface SessionRow {
  id: string;
  hostId: string | null;
  mac: string;
  startedAt: Date;
  endedAt: Date | null;
  phase: BootPhase;
  outcome: string | null;
  lastEventAt: Date;
}

export interface HostStateChange {
  hostId: string;
  state: HostState;
  /** The last boot phase reached (kept when a boot stalls). */
  phase: string | null;
  sessionId: string | null;
  at: string;
}

/** One host's row of a batch: last seen, and the state its latest session gives it (null: unchanged). */
export interface HostSeen {
  id: string;
  seen: string | null;
  state: HostState | null;
  phase: string | null;
  sessionId: string | null;
  at: string | null;
}

/** A batch as writeBatchSql takes it: JSON arrays (events are encoded when recorded: see EventWriter). */
export interface EventBatch {
  /** Events with `n` (recorded order) and their `sessionId`. */
  eventsJson: string;
  /** Sessions created or changed (boot-sessions.ts sessionRowsJson). */
  sessionsJson: string;
  hosts: HostSeen[];
}

export interface BatchWritten {
  /** The newest seq written, or null when every event was there already. */
  head: string | null;
  /** Hosts whose state changed (each got a host-state event). */
  statesChanged: number;
}

/**
 * The batch in one statement. $1: events (n = recorded order, with their session), $2: sessions
 * created or changed, $3: one row per host (last seen; state, phase and session when a session
 * of the host moved). Every host whose state changes gets a `bootd`/`host-state` event after the
 * batch's events. Foreign keys are checked at the end of the statement, so events may name
 * sessions inserted by it. LEFT JOIN "Host": a host deleted while its machine was booting leaves
 * anonymous events and sessions. Returns the newest seq written and how many states changed.
 */
const writeBatchSql = `
WITH sessions AS (
  INSERT INTO "BootSession" (id, "hostId", mac, "startedAt", "endedAt", phase, outcome)
  SELECT s.id, h.id, s.mac, s."startedAt", s."endedAt", s.phase, s.outcome
  FROM json_to_recordset($2::json) AS s(id uuid, "hostId" uuid, mac text, "startedAt" timestamptz, "endedAt" timestamptz, phase text, outcome text)
  LEFT JOIN "Host" h ON h.id = s."hostId"
  ON CONFLICT (id) DO UPDATE SET "hostId" = COALESCE("BootSession"."hostId", EXCLUDED."hostId"), "endedAt" = EXCLUDED."endedAt",
    phase = EXCLUDED.phase, outcome = EXCLUDED.outcome
), seen AS (
  SELECT s.*, h.state::text AS "wasState", h."statePhase" AS "wasPhase"
  FROM json_to_recordset($3::json) AS s(id uuid, seen timestamptz, state text, phase text, "sessionId" uuid, at timestamptz)
  JOIN "Host" h ON h.id = s.id
), hosts AS (
  UPDATE "Host" h SET
    "lastSeenAt" = CASE WHEN s.seen IS NOT NULL AND (h."lastSeenAt" IS NULL OR h."lastSeenAt" < s.seen) THEN s.seen ELSE h."lastSeenAt" END,
    state = COALESCE(s.state, h.state::text)::"HostState",
    "statePhase" = CASE WHEN s.state IS NULL THEN h."statePhase" ELSE s.phase END
  FROM seen s
  WHERE h.id = s.id AND ((s.seen IS NOT NULL AND (h."lastSeenAt" IS NULL OR h."lastSeenAt" < s.seen))
    OR (s.state IS NOT NULL AND (h.state::text, h."statePhase") IS DISTINCT FROM (s.state, s.phase)))
  RETURNING h.id, h.mac, h.state::text AS state, h."statePhase" AS phase, s."sessionId", s.at, s."wasState", s."wasPhase"
), moved AS (
  SELECT * FROM hosts c WHERE (c.state, c.phase) IS DISTINCT FROM (c."wasState", c."wasPhase")
), written AS (
  INSERT INTO "BootEvent" (id, "hostId", mac, "sessionId", source, type, at, detail, "bytesDone", "bytesTotal")
  SELECT id, "hostId", mac, "sessionId", source, type, at, detail, "bytesDone", "bytesTotal" FROM (
    SELECT e.id, h.id AS "hostId", e.mac, e."sessionId", e.source, e.type, e.at, e.detail, e."bytesDone", e."bytesTotal", e.n
    FROM json_to_recordset($1::json) AS e(n int, "sessionId" uuid, id uuid, "hostId" uuid, mac text, source text, type text, at timestamptz,
         detail jsonb, "bytesDone" bigint, "bytesTotal" bigint)
    LEFT JOIN "Host" h ON h.id = e."hostId"
    UNION ALL
    SELECT gen_random_uuid(), c.id, c.mac, c."sessionId", 'bootd', 'host-state', c.at, jsonb_build_object('state', c.state, 'phase', c.phase),
           NULL, NULL, 2147483647
    FROM moved c
  ) x
  ORDER BY n
  ON CONFLICT (id) DO NOTHING
  RETURNING seq
)
SELECT (SELECT max(seq)::text FROM written) AS head, (SELECT count(*)::int FROM moved) AS "statesChanged"`;

/** The last result of a multi-statement simple query (pg returns one result per statement). */
function lastResultRow(results: unknown): Record<string, unknown> | undefined {
  const last: unknown = Array.isArray(results) ? results.at(-1) : results;
  const rows = last && typeof last === 'object' && 'rows' in last ? last.rows : undefined;
  return Array.isArray(rows) && rows[0] && typeof rows[0] === 'object' ? rows[0] as Record<string, unknown> : undefined;
}

/** Statements inside a transaction that holds the event-order lock. */
export class EventOrderTransaction {
  constructor(private readonly client: pg.PoolClient) {}

  /** Which of these event ids are stored already (a spool replay may repeat committed events). */
  async storedEventIds(ids: string[]): Promise<Set<string>> {
    const stored = await this.client.query<{ id: string }>('SELECT id FROM "BootEvent" WHERE id = ANY($1::uuid[])', [ids]);
    return new Set(stored.rows.map((r) => r.id));
  }

  /** The MAC of each host that has one. */
  async macsOfHosts(hostIds: string[]): Promise<Map<string, string>> {
    const rows = await this.client.query<{ id: string; mac: string | null }>(`SELECT id, mac FROM "Host" WHERE id = ANY($1::uuid[])`, [hostIds]);
    return new Map(rows.rows.filter((r) => r.mac !== null).map((r) => [r.id, r.mac!]));
  }

  /** The latest session of each MAC (null for a MAC without one). */
  async latestSessions(macs: string[]): Promise<Map<string, SessionRow | null>> {
    const found = new Map<string, SessionRow | null>(macs.map((m) => [m, null]));
    if (macs.length === 0) return found;
    const loaded = await this.client.query<SessionRow>(
      `SELECT s.id, s."hostId", s.mac, s."startedAt", s."endedAt", s.phase, s.outcome,
              COALESCE((SELECT max(e.at) FROM "BootEvent" e WHERE e."sessionId" = s.id), s."startedAt") AS "lastEventAt"
       FROM unnest($1::text[]) AS m(mac)
       CROSS JOIN LATERAL (SELECT * FROM "BootSession" b WHERE b.mac = m.mac ORDER BY b."startedAt" DESC LIMIT 1) s`,
      [macs],
    );
    for (const row of loaded.rows) found.set(row.mac, row);
    return found;
  }

  async writeBatch(batch: EventBatch): Promise<BatchWritten> {
    const r = await this.client.query<BatchWritten>(writeBatchSql, [batch.eventsJson, batch.sessionsJson, JSON.stringify(batch.hosts)]);
    return r.rows[0] ?? { head: null, statesChanged: 0 };
  }

  /** Writes the states that differ from the stored ones, each with its host-state event; returns how many changed. */
  async writeHostStates(changes: HostStateChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    const hosts = changes.map((c): HostSeen => ({ id: c.hostId, seen: null, state: c.state, phase: c.phase, sessionId: c.sessionId, at: c.at }));
    return (await this.writeBatch({ eventsJson: '[]', sessionsJson: '[]', hosts })).statesChanged;
  }

  /** Booting hosts silent past their role's stallSeconds (defaultStallSeconds without a role), with their latest session. */
  async stalledHosts(now: Date, defaultStallSeconds: number): Promise<Array<{ hostId: string; phase: string | null; sessionId: string | null; startedAt: Date | null; lastSeenAt: Date }>> {
    const r = await this.client.query<{ hostId: string; phase: string | null; sessionId: string | null; startedAt: Date | null; lastSeenAt: Date }>(
      `SELECT h.id AS "hostId", h."statePhase" AS phase, s.id AS "sessionId", s."startedAt", h."lastSeenAt"
       FROM "Host" h
       LEFT JOIN "Role" r ON r.id = h."roleId"
       LEFT JOIN LATERAL (SELECT b.id, b."startedAt" FROM "BootSession" b WHERE b."hostId" = h.id ORDER BY b."startedAt" DESC LIMIT 1) s ON true
       WHERE h.state = 'booting' AND h."lastSeenAt" < $1::timestamptz - make_interval(secs => COALESCE(r."stallSeconds", $2))`,
      [now.toISOString(), defaultStallSeconds],
    );
    return r.rows;
  }

  /** Ends these sessions `stalled` at their host's last sign of life (sessions ended meanwhile stay as they are). */
  async endSessionsStalled(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.client.query(
      `UPDATE "BootSession" s SET outcome = 'stalled', "endedAt" = h."lastSeenAt"
       FROM "Host" h WHERE s.id = ANY($1::uuid[]) AND h.id = s."hostId" AND s.outcome IS NULL`,
      [sessionIds],
    );
  }

  /** Hosts seen once and silent for offlineSeconds before `at`, not yet marked offline. */
  async silentHosts(at: string, offlineSeconds: number): Promise<Array<{ hostId: string; phase: string | null }>> {
    const r = await this.client.query<{ hostId: string; phase: string | null }>(
      `SELECT id AS "hostId", "statePhase" AS phase FROM "Host"
       WHERE state NOT IN ('registered', 'offline') AND "lastSeenAt" < $1::timestamptz - make_interval(secs => $2)`,
      [at, offlineSeconds],
    );
    return r.rows;
  }
}

export class EventStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs `work` in a transaction holding the event-order lock, with the newest seq committed
   * before it (one round trip: the lock is taken before max(seq) is read, each statement with
   * its own snapshot), and commits; rolls back and rethrows on any failure.
   */
  async inEventOrder<T>(work: (tx: EventOrderTransaction, head: string) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      const opened: unknown = await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${eventOrderLockKey}); SELECT coalesce(max(seq), 0)::text AS head FROM "BootEvent"`);
      const head = lastResultRow(opened)?.head;
      if (typeof head !== 'string') throw new Error('reading the newest event seq gave no row');
      return work(new EventOrderTransaction(client), head);
    });
  }

  /** Runs `work` as the stall watch's pass (under the event-order lock); null when another bootd holds the pass. */
  async inWatchPass<T>(work: (tx: EventOrderTransaction) => Promise<T>): Promise<T | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query('BEGIN');
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [watchLockKey]);
      if (!got.rows[0]?.ok) return null;
      await client.query('SELECT pg_advisory_xact_lock($1)', [eventOrderLockKey]);
      return work(new EventOrderTransaction(client));
    });
  }

  /** Deletes up to batchRows events older than the cutoff; returns how many. */
  async pruneEventsBefore(cutoff: string, batchRows: number): Promise<number> {
    const res = await this.pool.query(`DELETE FROM "BootEvent" WHERE id IN (SELECT id FROM "BootEvent" WHERE at < $1 ORDER BY at LIMIT $2)`, [cutoff, batchRows]);
    return res.rowCount ?? 0;
  }

  /** Deletes up to batchRows sessions that ended before the cutoff; returns how many. */
  async pruneSessionsEndedBefore(cutoff: string, batchRows: number): Promise<number> {
    const res = await this.pool.query(`DELETE FROM "BootSession" WHERE id IN (SELECT id FROM "BootSession" WHERE "endedAt" < $1 LIMIT $2)`, [cutoff, batchRows]);
    return res.rowCount ?? 0;
  }

  /** Hosts by state (states without hosts absent). */
  async hostsByState(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ state: string; n: string }>('SELECT state::text, count(*) AS n FROM "Host" GROUP BY state');
    return new Map(r.rows.map((row) => [row.state, Number(row.n)]));
  }

  /** Unexpired pool leases by state (states without leases absent). */
  async unexpiredLeasesByState(): Promise<Map<string, number>> {
    const r = await this.pool.query<{ state: string; n: string }>('SELECT state::text, count(*) AS n FROM "Lease" WHERE "expiresAt" > now() GROUP BY state');
    return new Map(r.rows.map((row) => [row.state, Number(row.n)]));
  }
}
