// The stall watch: a periodic pass in bootd that marks a booting host `stalled` when its boot has
// made no progress for its role's stallSeconds (statePhase keeps the last step it reached, its
// session ends `stalled`), and any seen host `offline` when nothing was heard from it for
// offlineSeconds. It also refreshes the fleet gauges (hosts by state, leases by state).
//
// Why in bootd and not the supervisor: bootd is the process that always runs where boots happen
// (`fleetboot bootd` runs without a supervisor on remote sites), it already owns the event
// writer and its lock, and the state it writes is derived from the events it writes. With
// several bootd on one database, a try-lock makes one of them do each pass.
import type pg from 'pg';
import type { Logger } from '../bootd-context.ts';
import { hostStates } from '../../lib/host-states.ts';
import type { Metrics } from '../metrics.ts';
import { eventOrderLockKey } from './event-writer.ts';
import { applyHostStates } from './host-state.ts';
import { defaultRetentionDays } from './event-retention.ts';

const watchLockKey = 7_305_002;
export const defaultStallSeconds = 300;
/** Default for FLEETBOOT_OFFLINE_SECONDS: a booted host renews its lease at half the lease time (1 h by default). */
export const defaultOfflineSeconds = 2 * 3600;

export interface StallWatchOptions {
  pool: pg.Pool;
  log: Logger;
  metrics: Metrics;
  offlineSeconds: number;
  intervalMs?: number;
  now?: () => Date;
}

export interface WatchPass {
  stalled: number;
  offline: number;
}

/** One pass; returns what it marked (0/0 when another bootd holds the pass). */
export async function watchHostsOnce(opts: Pick<StallWatchOptions, 'pool' | 'metrics' | 'offlineSeconds'>, now: Date): Promise<WatchPass> {
  const client = await opts.pool.connect();
  let result: WatchPass = { stalled: 0, offline: 0 };
  let stalledDurations: number[] = [];
  try {
    await client.query('BEGIN');
    const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [watchLockKey]);
    if (!got.rows[0]?.ok) {
      await client.query('ROLLBACK');
      return result;
    }
    await client.query('SELECT pg_advisory_xact_lock($1)', [eventOrderLockKey]);
    const stalled = await client.query<{ hostId: string; phase: string | null; sessionId: string | null; startedAt: Date | null; lastSeenAt: Date }>(
      `SELECT h.id AS "hostId", h."statePhase" AS phase, s.id AS "sessionId", s."startedAt", h."lastSeenAt"
       FROM "Host" h
       LEFT JOIN "Role" r ON r.id = h."roleId"
       LEFT JOIN LATERAL (SELECT b.id, b."startedAt" FROM "BootSession" b WHERE b."hostId" = h.id ORDER BY b."startedAt" DESC LIMIT 1) s ON true
       WHERE h.state = 'booting' AND h."lastSeenAt" < $1::timestamptz - make_interval(secs => COALESCE(r."stallSeconds", $2))`,
      [now.toISOString(), defaultStallSeconds],
    );
    const sessionIds = stalled.rows.map((r) => r.sessionId).filter((id): id is string => id !== null);
    if (sessionIds.length > 0) {
      await client.query(
        `UPDATE "BootSession" s SET outcome = 'stalled', "endedAt" = h."lastSeenAt"
         FROM "Host" h WHERE s.id = ANY($1::uuid[]) AND h.id = s."hostId" AND s.outcome IS NULL`,
        [sessionIds],
      );
    }
    stalledDurations = stalled.rows.filter((r) => r.startedAt).map((r) => (r.lastSeenAt.getTime() - r.startedAt!.getTime()) / 1000);
    const at = now.toISOString();
    const marked = await applyHostStates(client, stalled.rows.map((r) => ({ hostId: r.hostId, state: 'stalled', phase: r.phase, sessionId: r.sessionId, at })));
    const gone = await client.query<{ hostId: string; phase: string | null }>(
      `SELECT id AS "hostId", "statePhase" AS phase FROM "Host"
       WHERE state NOT IN ('registered', 'offline') AND "lastSeenAt" < $1::timestamptz - make_interval(secs => $2)`,
      [at, opts.offlineSeconds],
    );
    const offline = await applyHostStates(client, gone.rows.map((r) => ({ hostId: r.hostId, state: 'offline', phase: r.phase, sessionId: null, at })));
    await client.query('COMMIT');
    result = { stalled: marked.length, offline: offline.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  const m = opts.metrics;
  m.inc('fleetboot_hosts_marked_total', 'Hosts marked stalled or offline by the stall watch', { state: 'stalled' }, result.stalled);
  m.inc('fleetboot_hosts_marked_total', 'Hosts marked stalled or offline by the stall watch', { state: 'offline' }, result.offline);
  for (const d of stalledDurations) {
    m.inc('fleetboot_boots_total', 'Boot attempts ended, by outcome', { outcome: 'stalled' });
    m.observe('fleetboot_boot_duration_seconds', 'Boot attempt duration, first DHCP to its end, by outcome', [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600], { outcome: 'stalled' }, d);
  }
  await refreshFleetGauges(opts.pool, m);
  return result;
}

async function refreshFleetGauges(pool: pg.Pool, m: Metrics): Promise<void> {
  const hosts = await pool.query<{ state: string; n: string }>('SELECT state::text, count(*) AS n FROM "Host" GROUP BY state');
  const byState = new Map(hosts.rows.map((r) => [r.state, Number(r.n)]));
  for (const s of hostStates) m.set('fleetboot_hosts', 'Hosts by state', { state: s }, byState.get(s) ?? 0);
  const leases = await pool.query<{ state: string; n: string }>('SELECT state::text, count(*) AS n FROM "Lease" WHERE "expiresAt" > now() GROUP BY state');
  for (const s of ['offered', 'bound', 'released', 'declined', 'expired']) {
    m.set('fleetboot_dhcp_leases', 'Unexpired pool leases by state', { state: s }, Number(leases.rows.find((r) => r.state === s)?.n ?? 0));
  }
}

/** Runs watchHostsOnce every intervalMs (5 s by default) until stopped. */
export function startStallWatch(opts: StallWatchOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = watchHostsOnce(opts, (opts.now ?? (() => new Date()))()).catch((err) =>
      opts.log.warn('stall watch pass failed', { error: (err as Error).message }),
    );
  };
  const timer = setInterval(tick, opts.intervalMs ?? 5000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** FLEETBOOT_OFFLINE_SECONDS and FLEETBOOT_EVENT_RETENTION_DAYS, checked. */
export function liveStateSettings(env: NodeJS.ProcessEnv = process.env): { offlineSeconds: number; retentionDays: number } {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return n;
  };
  return { offlineSeconds: positive('FLEETBOOT_OFFLINE_SECONDS', defaultOfflineSeconds), retentionDays: positive('FLEETBOOT_EVENT_RETENTION_DAYS', defaultRetentionDays) };
}
