// The fleet snapshot as it travels from the console's server to the browser: every host's id,
// name, state and phase in one compact string per role (10,000 hosts in about 400 KB). The
// server has PostgreSQL build the string (server/fleet/queries.ts) from the two lists below; the
// fleet page decodes it here. One definition of the words and their order for both sides.
import { bootPhases } from './boot-phase.ts';
import { hostStates } from './host-states.ts';

/** A host's state travels as its index into this list (one digit: fewer than ten states). */
export const fleetStates = hostStates;
/** A host's statePhase travels as its index into this list, after the state's digit. */
export const fleetPhases = bootPhases;

export interface FleetGroupData {
  /** The role's id, null for hosts without a role. */
  roleId: string | null;
  name: string;
  /**
   * Three space-separated words per host, ordered by hostname: the id's 16 bytes in base64url
   * (22 characters, a third fewer than its usual form), the hostname (RFC 1123: never a space),
   * and its state as the index into fleetStates followed, when it has one, by its phase's index
   * into fleetPhases ("2" booting… "24" booting · rootfs).
   */
  hosts: string;
}

export interface FleetSnapshot {
  /** By role name, hosts without a role last. */
  groups: FleetGroupData[];
  /** The boot event seq the live stream resumes after. */
  afterSeq: string;
}

export interface FleetGroup {
  key: string;
  name: string;
  count: number;
}

/** The fleet, columnar: host i is ids[i], names[i], … in tile order. */
export interface Fleet {
  ids: string[];
  names: string[];
  group: number[];
  /** Index into fleetStates. */
  state: number[];
  /** The phase word (fleetPhases, or what a live host-state event says). */
  phase: Array<string | null>;
  groups: FleetGroup[];
}

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A host id from its 22 base64url characters to its usual form. */
export function uuidOfBase64Url(b64: string): string {
  const bytes = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '==');
  let hex = '';
  for (let k = 0; k < 16; k++) hex += (k === 4 || k === 6 || k === 8 || k === 10 ? '-' : '') + hexByte[bytes.charCodeAt(k)]!;
  return hex;
}

export function decodeFleet(snapshot: FleetSnapshot): Fleet {
  const fleet: Fleet = { ids: [], names: [], group: [], state: [], phase: [], groups: [] };
  snapshot.groups.forEach((g, gi) => {
    const words = g.hosts.split(' ');
    for (let w = 0; w + 2 < words.length; w += 3) {
      const code = words[w + 2]!;
      fleet.ids.push(uuidOfBase64Url(words[w]!));
      fleet.names.push(words[w + 1]!);
      fleet.group.push(gi);
      fleet.state.push(code.charCodeAt(0) - 48);
      fleet.phase.push(code.length > 1 ? fleetPhases[Number(code.slice(1))] ?? null : null);
    }
    fleet.groups.push({ key: g.roleId ?? 'none', name: g.name, count: words.length / 3 });
  });
  return fleet;
}
