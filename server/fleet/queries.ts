// The fleet view's data: every host's state in a compact, columnar form (10,000 hosts fit in a
// few hundred kilobytes), with the seq the live stream resumes after (read first, so no state
// change falls between the read and the subscription).
import { db } from '../db/client.ts';

export const fleetStates = ['registered', 'discovered', 'booting', 'up', 'failed', 'stalled', 'offline'] as const;

export interface FleetSnapshot {
  roles: Array<{ id: string; name: string }>;
  /** Parallel arrays, one entry per host, ordered by role name then hostname. */
  hostIds: string[];
  hostnames: string[];
  /** Index into roles, -1 for a host without a role. */
  roleIndex: number[];
  /** Index into fleetStates. */
  stateIndex: number[];
  phases: Array<string | null>;
  afterSeq: string;
}

export async function getFleetSnapshot(): Promise<FleetSnapshot> {
  const head = await db().bootEvent.aggregate({ _max: { seq: true } });
  const [roles, hosts] = await Promise.all([
    db().role.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } }),
    db().$queryRaw<Array<{ id: string; hostname: string; roleId: string | null; state: string; statePhase: string | null }>>`
      SELECT h.id, h.hostname, h."roleId", h.state::text AS state, h."statePhase"
      FROM "Host" h LEFT JOIN "Role" r ON r.id = h."roleId"
      ORDER BY r.name NULLS LAST, h.hostname`,
  ]);
  const roleAt = new Map(roles.map((r, i) => [r.id, i]));
  return {
    roles,
    hostIds: hosts.map((h) => h.id),
    hostnames: hosts.map((h) => h.hostname),
    roleIndex: hosts.map((h) => (h.roleId ? roleAt.get(h.roleId) ?? -1 : -1)),
    stateIndex: hosts.map((h) => Math.max(0, fleetStates.indexOf(h.state as (typeof fleetStates)[number]))),
    phases: hosts.map((h) => h.statePhase),
    afterSeq: (head._max.seq ?? 0n).toString(),
  };
}
