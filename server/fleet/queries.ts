// The fleet view's data: every host's state in one compact string (lib/fleet-wire.ts: 10,000
// hosts in about 400 KB, sent to the browser once: the page builds its tiles from it), grouped by role, with
// the seq the live stream resumes after (read first, so no state change falls between the read
// and the subscription). Postgres builds the string: no per-host objects on the way.
import { fleetPhases, fleetStates, type FleetSnapshot } from '../../lib/fleet-wire.ts';
import { db } from '../db/client.ts';

export async function getFleetSnapshot(): Promise<FleetSnapshot> {
  const head = await db().$queryRaw<Array<{ seq: string }>>`SELECT coalesce(max(seq), 0)::text AS seq FROM "BootEvent"`;
  const groups = await db().$queryRaw<Array<{ roleId: string | null; name: string | null; hosts: string }>>`
    SELECT r.id AS "roleId", r.name,
           string_agg(rtrim(translate(encode(uuid_send(h.id), 'base64'), '+/', '-_'), '=') || ' ' || h.hostname || ' '
                        || (coalesce(array_position(${[...fleetStates]}::text[], h.state::text), 1) - 1)::text
                        || coalesce((array_position(${[...fleetPhases]}::text[], h."statePhase") - 1)::text, ''),
                      ' ' ORDER BY h.hostname) AS hosts
    FROM "Host" h LEFT JOIN "Role" r ON r.id = h."roleId"
    GROUP BY r.id, r.name
    ORDER BY r.name NULLS LAST`;
  return {
    groups: groups.map((g) => ({ roleId: g.roleId, name: g.name ?? 'No role', hosts: g.hosts })),
    afterSeq: head[0]?.seq ?? '0',
  };
}
