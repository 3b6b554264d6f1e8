// bootd's row types against the schema. bootd reads and writes PostgreSQL with pg (never Prisma:
// it runs where the console's generated client doesn't), so its row types are declared in
// boot-services/store/ and lib/. Here each is compared, field by field, with the model type
// Prisma generates from schema.prisma: `npx tsc --noEmit -p .` (lint and land.sh run it) fails
// when a migration renames, retypes or drops a column, or adds an enum word, that a store type
// still spells the old way. Nothing imports this file; it is only compiled.
// Fields bootd keeps in another form are named beside each check (epoch ms for a timestamp,
// number for a BigInt small enough, an ISO string for a time in JSON).
import type {
  $Enums, BootEvent, BootSession, BootdPeer, Host, Image, Lease, Lease6, Network, Role,
} from '@prisma/client';
import type { BootEventRecord } from '../lib/boot-event.ts';
import type { HostView, ImageView, NetworkView, RoleView } from '../lib/boot/boot-view.ts';
import type { HostState } from '../lib/host-states.ts';
import type { PeerRow } from '../boot-services/store/bootd-peers.ts';
import type { LeaseRecord, LeaseState } from '../boot-services/store/dhcp-leases.ts';
import type { Lease6Record, Lease6State } from '../boot-services/store/dhcp6-leases.ts';
import type { SessionRow } from '../boot-services/store/events.ts';

/** True when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/**
 * The fields K of bootd's type V have exactly the column types of model M (a field optional in V,
 * absent from view snapshots written before its column existed, is compared without undefined).
 */
type SameColumns<V, M, K extends keyof V & keyof M> = Same<{ [F in K]: Exclude<V[F], undefined> }, { [F in K]: M[F] }>;
/** Every field of V is checked here or named as kept in another form: none is forgotten. */
type AllNamed<V, Checked extends keyof V, Other extends keyof V> = Same<Exclude<keyof V, Checked | Other>, never>;

type LeaseColumns = 'networkId' | 'ip' | 'mac' | 'clientId' | 'hostname';
type Lease6Columns = 'networkId' | 'address' | 'duid' | 'mac';
type NetworkColumns = Exclude<keyof NetworkView, 'servedBy'>;
type RoleColumns = keyof RoleView;
type HostColumns = Exclude<keyof HostView, 'state'>;
type ImageColumns = 'id' | 'roleId' | 'version';
type EventColumns = 'id' | 'hostId' | 'mac' | 'source' | 'type';
type SessionColumns = Exclude<keyof SessionRow, 'lastEventAt' | 'phase'>;

export const bootdRowTypesMatchTheSchema = {
  // "Lease": expiresAt is kept as epoch ms.
  lease: true satisfies SameColumns<LeaseRecord, Lease, LeaseColumns> & AllNamed<LeaseRecord, LeaseColumns | 'state', 'expiresAtMs'>,
  leaseState: true satisfies Same<LeaseState, $Enums.LeaseState>,
  // "Lease6": iaid (BigInt) as a number (RFC 8415 §21.4: 32 bits), expiresAt as epoch ms; its states are LeaseState's but 'offered'.
  lease6: true satisfies SameColumns<Lease6Record, Lease6, Lease6Columns> & AllNamed<Lease6Record, Lease6Columns | 'state', 'iaid' | 'expiresAtMs'>,
  lease6State: true satisfies Same<Lease6State, Exclude<$Enums.LeaseState, 'offered'>>,
  // "BootdPeer": silentMs and stopped are computed by the heartbeat's SELECT.
  bootdPeer: true satisfies SameColumns<PeerRow, BootdPeer, 'id' | 'serverAddress'> & AllNamed<PeerRow, 'id' | 'serverAddress', 'silentMs' | 'stopped'>,
  // The view (store/view-rows.ts reads each of these columns by these names).
  network: true satisfies SameColumns<NetworkView, Network, NetworkColumns>,
  role: true satisfies SameColumns<RoleView, Role, RoleColumns>,
  host: true satisfies SameColumns<HostView, Host, HostColumns>,
  // HostView.state is read as text and compared with lib/host-states.ts's words, which are the enum's.
  hostState: true satisfies Same<HostState, $Enums.HostState>,
  // Image: status is text in the view; kernel/initrd/rootfs are the joined "Artifact" rows.
  image: true satisfies SameColumns<ImageView, Image, ImageColumns> & AllNamed<ImageView, ImageColumns, 'status' | 'kernel' | 'initrd' | 'rootfs'>,
  // "BootEvent": at is ISO 8601 text and detail JSON in the record bootd spools; bytes (BigInt) as numbers.
  bootEvent: true satisfies SameColumns<BootEventRecord, BootEvent, EventColumns> & AllNamed<BootEventRecord, EventColumns, 'at' | 'detail' | 'bytesDone' | 'bytesTotal'>,
  // "BootSession": phase is a lib/boot-phase.ts word (text in the table); lastEventAt is computed.
  bootSession: true satisfies SameColumns<SessionRow, BootSession, SessionColumns>,
};
