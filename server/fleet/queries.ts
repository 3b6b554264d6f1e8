// The fleet view's data: every host's state in one compact string (10,000 hosts in about 400 KB, sent to the browser once: the page builds its tiles from it), grouped by role, with
// the seq the live stream resumes after (read first, so no state change falls between the read
// and the subscription). Postgres builds the string: no per-host objects on the way.
import { db } from '../db/client.ts';

export const fleetStates = ['registered', 'discovered', 'booting', 'up', 'failed', 'stalled', 'offline'] as const;
/** The phases a host's statePhase takes (boot-services/events/boot-phase.ts bootPhases). */
export const fleetPhases = ['dhcp', 'bootloader', 'kernel', 'initrd', 'rootfs', 'up'] as const;

export interface FleetGroupData {
  /** The role's id, null for hosts without a role. */
  roleId: string | null;
  name: string;
  /**
   * Three space-separated words per host, ordered by hostname: the id's 16 bytes in base64url
   * (22 characters, a third fewer than its usual form), the hostname (RFC 1123: never a space), and its state as the index into
   * fleetStates followed, when it has one, by its phase's index into fleetPhases ("2" registered…
   * "24" booting · rootfs).
   */
  hosts: string;
}

export interface FleetSnapshot {
  /** By role name, hosts without a role last. */
  groups: FleetGroupData[];
  afterSeq: string;
}

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
