// Host.state and Host.statePhase, written from boot sessions: the one writer of a host's live
// state (the stall watch for stalled/offline through applyHostStates; the event writer does the
// same inside its one statement per batch, event-writer.ts writeBatchSql). Every change
// is also recorded as a `bootd`/`host-state` boot event in the same transaction, so the console's
// live streams (SSE, resumable by seq) carry state changes in order with the events causing them.
import type pg from 'pg';
import type { BootPhase } from '../../lib/boot-phase.ts';
import type { HostState } from '../../lib/host-states.ts';

export interface HostStateChange {
  hostId: string;
  state: HostState;
  /** The last boot phase reached (kept when a boot stalls). */
  phase: string | null;
  sessionId: string | null;
  at: string;
}

/** What a host's state is while its latest session is in this shape. */
export function hostStateOfSession(phase: BootPhase, outcome: string | null): HostState {
  if (outcome === 'up' || outcome === 'failed' || outcome === 'stalled') return outcome;
  return phase === 'up' ? 'up' : 'booting';
}

/**
 * Writes the states that differ from the stored ones and records a host-state event for each.
 * Returns the changes actually made. Call inside the transaction that holds the event-order lock.
 */
export async function applyHostStates(client: pg.PoolClient | pg.Client, changes: HostStateChange[]): Promise<Array<{ hostId: string; state: HostState }>> {
  if (changes.length === 0) return [];
  const res = await client.query<{ hostId: string; state: HostState }>(
    `WITH s AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS s("hostId" uuid, state text, phase text, "sessionId" uuid, at timestamptz)
     ), changed AS (
       UPDATE "Host" h SET state = s.state::"HostState", "statePhase" = s.phase
       FROM s WHERE h.id = s."hostId" AND (h.state::text, h."statePhase") IS DISTINCT FROM (s.state, s.phase)
       RETURNING h.id, h.mac, h.state, h."statePhase", s."sessionId", s.at
     ), recorded AS (
       INSERT INTO "BootEvent" (id, "hostId", mac, "sessionId", source, type, at, detail)
       SELECT gen_random_uuid(), c.id, c.mac, c."sessionId", 'bootd', 'host-state', c.at,
              jsonb_build_object('state', c.state, 'phase', c."statePhase")
       FROM changed c
     )
     SELECT id AS "hostId", state FROM changed`,
    [JSON.stringify(changes)],
  );
  return res.rows;
}
