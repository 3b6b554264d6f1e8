// The supervisor's embedded PostgreSQL, kept running: when it dies (crash, OOM killer,
// `kill -9`), it is started again on the same port and cluster with RestartBackoff, while web
// and bootd go on (DESIGN.md "bootd on its own machine": outages are normal, bootd serves from
// its snapshot and spools events; the console answers 503 meanwhile). A restart clears a stale
// postmaster.pid and waits out orphan backends (server/db/embedded-postgres.ts): until they are
// gone the new postmaster refuses the cluster, and the next attempt comes after the backoff.
import { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningPostgres } from '../../server/db/embedded-postgres.ts';
import { RestartBackoff } from './restart-backoff.ts';

export interface KeptPostgres {
  url: string;
  socketUrl: string;
  port: number;
  /** The postmaster's pid now, or null while it is down. */
  pid(): number | null;
  /** Restarts so far. */
  restarts(): number;
  /** Stops it for good (no restart after this). */
  stop(): Promise<void>;
}

export async function startKeptPostgres(opts: EmbeddedPostgresOptions & { log: (line: string) => void }): Promise<KeptPostgres> {
  const first = await startEmbeddedPostgres(opts);
  const backoff = new RestartBackoff();
  let current: RunningPostgres | null = first;
  let startedAtMs = Date.now();
  let stopping = false;
  let restarts = 0;
  let pending: NodeJS.Timeout | null = null;
  let starting: Promise<void> | null = null;

  const retryLater = (why: string, ranMs: number) => {
    const delayMs = backoff.nextDelayMs(ranMs);
    opts.log(`${why}; starting it again in ${delayMs / 1000} s (web and bootd keep running)`);
    pending = setTimeout(() => {
      pending = null;
      starting = restart().finally(() => { starting = null; });
    }, delayMs);
  };

  const watch = (pg: RunningPostgres) => {
    pg.process.once('exit', (code, signal) => {
      if (current === pg) current = null;
      if (stopping) return;
      retryLater(`PostgreSQL exited unexpectedly (${signal ?? `code ${code}`})`, Date.now() - startedAtMs);
    });
  };

  const restart = async () => {
    if (stopping) return;
    try {
      const pg = await startEmbeddedPostgres({ ...opts, port: first.port, exactPort: true });
      if (stopping) {
        await pg.stop();
        return;
      }
      current = pg;
      startedAtMs = Date.now();
      restarts++;
      watch(pg);
      opts.log(`PostgreSQL is back (pid ${pg.process.pid}, restart ${restarts})`);
    } catch (err) {
      if (!stopping) retryLater(`PostgreSQL did not start again (${(err as Error).message})`, 0);
    }
  };

  watch(first);
  return {
    url: first.url,
    socketUrl: first.socketUrl,
    port: first.port,
    pid: () => current?.process.pid ?? null,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      if (pending) clearTimeout(pending);
      await starting;
      await current?.stop();
    },
  };
}
