// The database's replication state as the operator sees it: which node is the primary, its
// replicas with their lag, the timeline; built from Patroni's REST API answer or from what
// PostgreSQL says of itself (server/db/database-cluster.ts reads both). Pure: the shapes and the
// mapping, shared by the web process's /healthz, the dashboard's panel and the metrics.
export type MemberRole = 'primary' | 'sync_replica' | 'replica' | 'unknown';

export interface DatabaseMember {
  name: string;
  role: MemberRole;
  /** Patroni's state (running, streaming, stopped, starting …) or pg_stat_replication.state. */
  state: string;
  host: string | null;
  /** Bytes of WAL the member has not replayed yet (replicas); null when the source can't say. */
  lagBytes: number | null;
  timeline: number | null;
}

export interface DatabaseCluster {
  source: 'patroni' | 'postgres';
  readAt: string;
  /** The primary's name; null while none runs (failing over) or when unreadable. */
  primary: string | null;
  timeline: number | null;
  members: DatabaseMember[];
  /** Patroni answers but no member is a running primary: a leader election is under way. */
  failingOver: boolean;
  /** Why the state could not be read (every source failed), else null. */
  error: string | null;
}

interface PatroniMemberJson {
  name?: unknown;
  role?: unknown;
  state?: unknown;
  host?: unknown;
  lag?: unknown;
  timeline?: unknown;
}

const patroniRoles: Record<string, MemberRole> = { leader: 'primary', standby_leader: 'primary', sync_standby: 'sync_replica', replica: 'replica' };

/** Patroni's GET /cluster answer (Patroni 3.0: members with role, state, lag in bytes or "unknown", timeline). */
export function clusterFromPatroni(body: unknown, readAt: Date): DatabaseCluster {
  const list = (body as { members?: unknown } | null)?.members;
  if (!Array.isArray(list)) throw new Error('Patroni /cluster answer has no members list');
  const members = (list as PatroniMemberJson[]).map((m): DatabaseMember => ({
    name: String(m.name),
    role: patroniRoles[String(m.role)] ?? 'unknown',
    state: typeof m.state === 'string' ? m.state : 'unknown',
    host: typeof m.host === 'string' ? m.host : null,
    lagBytes: typeof m.lag === 'number' ? m.lag : null,
    timeline: typeof m.timeline === 'number' ? m.timeline : null,
  }));
  const primary = members.find((m) => m.role === 'primary' && m.state === 'running') ?? null;
  return {
    source: 'patroni',
    readAt: readAt.toISOString(),
    primary: primary?.name ?? null,
    timeline: primary?.timeline ?? null,
    members,
    failingOver: primary === null,
    error: null,
  };
}

export interface PostgresServerRow {
  recovery: boolean;
  timeline: number | null;
  address: string | null;
  port: number | null;
}

export interface PostgresReplicaRow {
  name: string | null;
  address: string | null;
  state: string | null;
  syncState: string | null;
  lagBytes: string | number | null;
}

/**
 * What the connected server says of itself and its WAL senders. Without pg_monitor (or
 * superuser) pg_stat_replication shows a replica's row but nulls its state and positions:
 * the replica is counted, its lag is unknown.
 */
export function clusterFromPostgres(server: PostgresServerRow, replicas: PostgresReplicaRow[], readAt: Date): DatabaseCluster {
  const selfName = server.address ? `${server.address}:${server.port ?? ''}` : 'local socket';
  const self: DatabaseMember = {
    name: selfName,
    role: server.recovery ? 'replica' : 'primary',
    state: server.recovery ? 'in recovery' : 'running',
    host: server.address,
    lagBytes: null,
    timeline: server.timeline,
  };
  const members = [self, ...replicas.map((r, i): DatabaseMember => ({
    name: r.name || r.address || `replica ${i + 1}`,
    role: r.syncState === 'sync' || r.syncState === 'quorum' ? 'sync_replica' : r.syncState ? 'replica' : 'unknown',
    state: r.state ?? 'unknown (needs pg_monitor)',
    host: r.address,
    lagBytes: r.lagBytes === null ? null : Number(r.lagBytes),
    timeline: null,
  }))];
  return {
    source: 'postgres',
    readAt: readAt.toISOString(),
    primary: server.recovery ? null : selfName,
    timeline: server.timeline,
    members,
    failingOver: false,
    error: null,
  };
}
