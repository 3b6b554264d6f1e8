// Which web process runs the worker (image lifecycle + bulk power queue) when several share one
// database: the one holding a session-level PostgreSQL advisory lock on a connection of its
// own. The others keep trying on every tick and take over as soon as the lock is free:
//   - the leader exits or is killed (kill -9 too): its connection closes, PostgreSQL ends the
//     session and releases the lock at once;
//   - the leader's machine dies or the process freezes: its session stops sending heartbeats,
//     and idle_session_timeout (set on that session) ends it on the server after
//     idleSessionTimeoutMs, releasing the lock;
//   - the leader's connection fails (database restart, network): the process stops leading
//     the moment its client reports the error, and competes again like the others.
// The claims the worker makes (server/power/boot-claims.ts) are conditional and serialized, so
// the short overlap a dying leader may leave can't boot a host twice or pass a boot limit.
// Needs a real session: behind a transaction-pooling proxy (pgbouncer) this lock means nothing.
import pg from 'pg';

/** pg_advisory_lock key of the worker lead (74_115_001 is the migration lock, 74_115_003 boot claims). */
export const workerLeaderLockKey = 74_115_002;
/** application_name of the lead's connection: pg_stat_activity shows who leads. */
export const leaderApplicationName = (pid = process.pid) => `fleetboot-worker pid ${pid}`;

export interface WorkerLeadership {
  /** Takes the lead if it is free; true while this process leads. Called before every pass. */
  ensureLeading(): Promise<boolean>;
  isLeading(): boolean;
  /** Gives the lead up (closes its connection). */
  stop(): Promise<void>;
}

export interface WorkerLeadershipOptions {
  databaseUrl: string;
  heartbeatMs?: number;
  idleSessionTimeoutMs?: number;
  log?: (message: string, err?: unknown) => void;
}

export function createWorkerLeadership(opts: WorkerLeadershipOptions): WorkerLeadership {
  const heartbeatMs = opts.heartbeatMs ?? 5000;
  const idleSessionTimeoutMs = opts.idleSessionTimeoutMs ?? 30_000;
  const log = opts.log ?? ((m: string, err?: unknown) => console.error(`[worker] ${m}`, err ?? ''));
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let heartbeat: NodeJS.Timeout | null = null;

  const drop = (why: string) => {
    if (leading) log(`no longer leading the worker: ${why}`);
    leading = false;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    const c = client;
    client = null;
    c?.end().catch(() => undefined);
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ connectionString: opts.databaseUrl, application_name: leaderApplicationName(), keepAlive: true });
    c.on('error', (err) => { if (client === c) drop(`its database connection failed (${err.message})`); });
    c.on('end', () => { if (client === c) drop('its database connection closed'); });
    await c.connect();
    client = c;
    // A frozen leader stops its heartbeats; the server then ends the session and frees the lock.
    await c.query(`SET idle_session_timeout = ${Math.round(idleSessionTimeoutMs)}`).catch((err) => log('idle_session_timeout not available (PostgreSQL < 14): a frozen leader keeps the lead', err));
    return c;
  };

  const beat = async () => {
    const c = client;
    if (!c || !leading) return;
    try {
      await c.query('SELECT 1');
    } catch (err) {
      if (client === c) drop(`heartbeat failed (${(err as Error).message})`);
    }
  };

  return {
    isLeading: () => leading,
    async ensureLeading() {
      if (stopped) return false;
      if (leading) return true;
      try {
        const c = client ?? (await connect());
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [workerLeaderLockKey]);
        if (r.rows[0]?.ok && client === c && !stopped) {
          leading = true;
          log(`leading the worker (pid ${process.pid})`);
          heartbeat = setInterval(() => void beat(), heartbeatMs);
          heartbeat.unref();
        }
      } catch (err) {
        drop(`could not ask for the lead (${(err as Error).message})`);
      }
      return leading;
    },
    async stop() {
      stopped = true;
      const wasLeading = leading;
      leading = false;
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = null;
      const c = client;
      client = null;
      if (c) {
        if (wasLeading) await c.query('SELECT pg_advisory_unlock($1::bigint)', [workerLeaderLockKey]).catch(() => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
