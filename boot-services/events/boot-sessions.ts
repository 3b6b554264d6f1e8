// Boot sessions: groups a batch of boot events into "BootSession" rows (one boot attempt of one
// machine, keyed by MAC) inside the event writer's transaction, so an event and the session it
// belongs to are committed together (or spooled together). A session's phase is the last phase
// its events reached; it ends `up` or `failed` by an agent report, `interrupted` when the machine
// starts booting again, or `stalled` by the stall watch (stall-watch.ts).
import type pg from 'pg';
import { classifyEvent, laterPhase, startsNewSession, type BootPhase } from './boot-phase.ts';
import { randomUUID } from 'node:crypto';

export interface SessionEvent {
  id: string;
  hostId: string | null;
  mac: string | null;
  source: string;
  type: string;
  at: string;
  detail: Record<string, unknown>;
}

interface SessionRow {
  id: string;
  hostId: string | null;
  mac: string;
  startedAt: Date;
  endedAt: Date | null;
  phase: BootPhase;
  outcome: string | null;
  lastEventAt: Date;
}

export interface FinishedBoot {
  outcome: string;
  durationSeconds: number;
}

export interface SessionAssignment {
  /** event id → session id */
  sessionOf: Map<string, string>;
  /** The latest session of each host touched by the batch: what the host's state follows. */
  hostSessions: Map<string, { sessionId: string; phase: BootPhase; outcome: string | null; at: string }>;
  finished: FinishedBoot[];
}

/** A firmware DISCOVER this long after the session's last event starts a new boot even mid-way. */
export const quietGapSeconds = 600;

/**
 * Assigns each event of the batch to its boot session, creating and updating "BootSession" rows.
 * Must run inside the writer's transaction, after it took the event-order lock (so two bootd
 * never race on one machine's session).
 */
export async function assignSessions(client: pg.PoolClient | pg.Client, events: SessionEvent[]): Promise<SessionAssignment> {
  const result: SessionAssignment = { sessionOf: new Map(), hostSessions: new Map(), finished: [] };
  // An event without a MAC (HTTP tied to a host by its address) belongs to its host's MAC.
  const hostsWithoutMac = [...new Set(events.filter((e) => !e.mac && e.hostId).map((e) => e.hostId!))];
  const macOfHost = new Map<string, string>();
  if (hostsWithoutMac.length > 0) {
    const rows = await client.query<{ id: string; mac: string | null }>(`SELECT id, mac FROM "Host" WHERE id = ANY($1::uuid[])`, [hostsWithoutMac]);
    for (const r of rows.rows) if (r.mac) macOfHost.set(r.id, r.mac);
  }
  const macOf = (e: SessionEvent) => e.mac ?? (e.hostId ? macOfHost.get(e.hostId) ?? null : null);
  const macs = [...new Set(events.map(macOf).filter((m): m is string => m !== null))];
  if (macs.length === 0) return result;

  const current = new Map<string, SessionRow>();
  const loaded = await client.query<SessionRow>(
    `SELECT s.id, s."hostId", s.mac, s."startedAt", s."endedAt", s.phase, s.outcome,
            COALESCE((SELECT max(e.at) FROM "BootEvent" e WHERE e."sessionId" = s.id), s."startedAt") AS "lastEventAt"
     FROM unnest($1::text[]) AS m(mac)
     CROSS JOIN LATERAL (SELECT * FROM "BootSession" b WHERE b.mac = m.mac ORDER BY b."startedAt" DESC LIMIT 1) s`,
    [macs],
  );
  for (const row of loaded.rows) current.set(row.mac, row);

  const changed = new Map<string, SessionRow>();
  for (const e of events) {
    const mac = macOf(e);
    if (!mac) continue;
    const c = classifyEvent(e);
    const at = new Date(e.at);
    let s = current.get(mac) ?? null;
    if (startsNewSession(c, s, at, quietGapSeconds)) {
      if (s && s.outcome === null) {
        s.outcome = 'interrupted';
        s.endedAt = s.lastEventAt;
        changed.set(s.id, s);
        result.finished.push({ outcome: 'interrupted', durationSeconds: (s.lastEventAt.getTime() - s.startedAt.getTime()) / 1000 });
      }
      s = { id: randomUUID(), hostId: e.hostId, mac, startedAt: at, endedAt: null, phase: c.phase ?? 'dhcp', outcome: null, lastEventAt: at };
      current.set(mac, s);
      changed.set(s.id, s);
    }
    if (!s) continue;
    result.sessionOf.set(e.id, s.id);
    if (at > s.lastEventAt) s.lastEventAt = at;
    if (!s.hostId && e.hostId) {
      s.hostId = e.hostId;
      changed.set(s.id, s);
    }
    const before = `${s.phase}|${s.outcome}`;
    if (s.outcome === 'stalled' && (c.phase !== null || c.outcome !== null)) {
      // Progress after a stall: the boot goes on.
      s.outcome = null;
      s.endedAt = null;
    }
    if (s.outcome === null) {
      s.phase = laterPhase(s.phase, c.phase);
      if (c.outcome) {
        s.outcome = c.outcome;
        s.endedAt = at;
        result.finished.push({ outcome: c.outcome, durationSeconds: (at.getTime() - s.startedAt.getTime()) / 1000 });
      }
    }
    if (before !== `${s.phase}|${s.outcome}`) changed.set(s.id, s);
    if (s.hostId) result.hostSessions.set(s.hostId, { sessionId: s.id, phase: s.phase, outcome: s.outcome, at: e.at });
  }

  if (changed.size > 0) {
    const rows = [...changed.values()].map((s) => ({ id: s.id, hostId: s.hostId, mac: s.mac, startedAt: s.startedAt.toISOString(), endedAt: s.endedAt?.toISOString() ?? null, phase: s.phase, outcome: s.outcome }));
    // LEFT JOIN "Host": a host deleted while its machine was booting leaves an anonymous session.
    await client.query(
      `INSERT INTO "BootSession" (id, "hostId", mac, "startedAt", "endedAt", phase, outcome)
       SELECT s.id, h.id, s.mac, s."startedAt", s."endedAt", s.phase, s.outcome
       FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, "hostId" uuid, mac text, "startedAt" timestamptz, "endedAt" timestamptz, phase text, outcome text)
       LEFT JOIN "Host" h ON h.id = s."hostId"
       ON CONFLICT (id) DO UPDATE SET "hostId" = COALESCE("BootSession"."hostId", EXCLUDED."hostId"), "endedAt" = EXCLUDED."endedAt",
         phase = EXCLUDED.phase, outcome = EXCLUDED.outcome`,
      [JSON.stringify(rows)],
    );
  }
  return result;
}
