// Reads the database's replication state (lib/database-cluster.ts) for /healthz, the
// dashboard's Database panel and /api/v1/metrics: from Patroni's REST API when
// FLEETBOOT_PATRONI_URLS names it (Patroni knows every member from its DCS, also while no
// primary runs: then it is "failing over"), else from PostgreSQL itself (pg_is_in_recovery, pg_stat_replication), which sees only the
// server Fleetboot is connected to and its streaming replicas. Nothing here is guessed: a
// value the source doesn't give is null and shown as unknown.
import pg from 'pg';
import { databaseUrl } from './client.ts';
import { clusterFromPatroni, clusterFromPostgres, type DatabaseCluster, type PostgresReplicaRow, type PostgresServerRow } from '../../lib/database-cluster.ts';

/** FLEETBOOT_PATRONI_URLS: Patroni REST API base URLs, comma separated (any member answers for all). */
export function patroniUrls(value = process.env.FLEETBOOT_PATRONI_URLS): string[] {
  return (value ?? '').split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
}

const readTimeoutMs = 2000;

async function readFromPatroni(urls: string[], now: () => Date): Promise<DatabaseCluster> {
  const failures: string[] = [];
  for (const base of urls) {
    try {
      const res = await fetch(`${base}/cluster`, { signal: AbortSignal.timeout(readTimeoutMs) });
      if (!res.ok) {
        await res.body?.cancel();
        failures.push(`${base}: HTTP ${res.status}`);
        continue;
      }
      return clusterFromPatroni(await res.json(), now());
    } catch (err) {
      failures.push(`${base}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no Patroni REST API answered (${failures.join('; ')})`);
}

// The primary's timeline is the first 8 hex digits of its current WAL file name;
// pg_walfile_name() refuses during recovery, where the last checkpoint's timeline is the best known.
const serverSql = `SELECT pg_is_in_recovery() AS recovery,
  CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id FROM pg_control_checkpoint())
       ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END AS timeline,
  host(inet_server_addr()) AS address, inet_server_port() AS port`;
const replicasSql = `SELECT application_name AS name, host(client_addr) AS address, state, sync_state AS "syncState",
  CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) END AS "lagBytes"
  FROM pg_stat_replication ORDER BY application_name`;

async function readFromPostgres(databaseUrl: string, now: () => Date): Promise<DatabaseCluster> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: readTimeoutMs, query_timeout: readTimeoutMs });
  client.on('error', () => undefined); // a dying server's late error; the query's own error is what counts
  await client.connect();
  try {
    const server = (await client.query<PostgresServerRow>(serverSql)).rows[0]!;
    const replicas = (await client.query<PostgresReplicaRow>(replicasSql)).rows;
    return clusterFromPostgres(server, replicas, now());
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ClusterReadOptions {
  databaseUrl: string;
  patroniUrls?: string[];
  now?: () => Date;
}

/** One read: Patroni when configured, else PostgreSQL; never throws (error says why). */
export async function readDatabaseCluster(opts: ClusterReadOptions): Promise<DatabaseCluster> {
  const now = opts.now ?? (() => new Date());
  const urls = opts.patroniUrls ?? patroniUrls();
  try {
    return urls.length ? await readFromPatroni(urls, now) : await readFromPostgres(opts.databaseUrl, now);
  } catch (err) {
    return { source: urls.length ? 'patroni' : 'postgres', readAt: now().toISOString(), primary: null, timeline: null, members: [], failingOver: false, error: (err as Error).message || String(err) };
  }
}

/** Reads at most once per maxAgeMs; concurrent callers share one read. */
export class DatabaseClusterReader {
  private last: { at: number; value: DatabaseCluster } | null = null;
  private reading: Promise<DatabaseCluster> | null = null;

  constructor(private readonly opts: ClusterReadOptions & { maxAgeMs?: number }) {}

  read(): Promise<DatabaseCluster> {
    if (this.last && Date.now() - this.last.at < (this.opts.maxAgeMs ?? 2000)) return Promise.resolve(this.last.value);
    this.reading ??= readDatabaseCluster(this.opts)
      .then((value) => { this.last = { at: Date.now(), value }; return value; })
      .finally(() => { this.reading = null; });
    return this.reading;
  }
}

const shared = globalThis as unknown as { fleetbootClusterReader?: DatabaseClusterReader };

/** The web process's replication state for pages and metrics (read at most every 2 s). */
export function databaseClusterState(): Promise<DatabaseCluster> {
  shared.fleetbootClusterReader ??= new DatabaseClusterReader({ databaseUrl: databaseUrl() });
  return shared.fleetbootClusterReader.read();
}
