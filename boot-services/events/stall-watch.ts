// The stall watch: a periodic pass in bootd that marks a booting host `stalled` when its boot has
// made no progress for its role's stallSeconds (statePhase keeps the last step it reached, its
// session ends `stalled`), and any seen host `offline` when nothing was heard from it for
// offlineSeconds. It also refreshes the fleet gauges (hosts by state, leases by state).
//
// Why in bootd and not the supervisor: bootd is the process that always runs where boots happen
// (`fleetboot bootd` runs without a supervisor on remote sites), it already owns the event
// writer and its lock, and the state it writes is derived from the events it writes. With
// several bootd on one database, a try-lock makes one of them do each pass.
import type { Logger } from '../bootd-context.ts';
import { hostStates } from '../../lib/host-states.ts';
import type { Metrics } from '../metrics.ts';
import type { EventStore } from '../store/events.ts';
import { defaultRetentionDays } from './event-retention.ts';

export const defaultStallSeconds = 300;
/** Default for FLEETBOOT_OFFLINE_SECONDS: a booted host renews its lease at half the lease time (1 h by default). */
export const defaultOfflineSeconds = 2 * 3600;

export interface StallWatchOptions {
  store: EventStore;
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
export async function watchHostsOnce(opts: Pick<StallWatchOptions, 'store' | 'metrics' | 'offlineSeconds'>, now: Date): Promise<WatchPass> {
  let stalledDurations: number[] = [];
  const result = await opts.store.inWatchPass(async (tx): Promise<WatchPass> => {
    const stalled = await tx.stalledHosts(now, defaultStallSeconds);
    await tx.endSessionsStalled(stalled.map((r) => r.sessionId).filter((id): id is string => id !== null));
    stalledDurations = stalled.filter((r) => r.startedAt).map((r) => (r.lastSeenAt.getTime() - r.startedAt!.getTime()) / 1000);
    const at = now.toISOString();
    const marked = await tx.writeHostStates(stalled.map((r) => ({ hostId: r.hostId, state: 'stalled', phase: r.phase, sessionId: r.sessionId, at })));
    const gone = await tx.silentHosts(at, opts.offlineSeconds);
    const offline = await tx.writeHostStates(gone.map((r) => ({ hostId: r.hostId, state: 'offline', phase: r.phase, sessionId: null, at })));
    return { stalled: marked, offline };
  });
  if (!result) return { stalled: 0, offline: 0 };
  const m = opts.metrics;
  m.inc('fleetboot_hosts_marked_total', 'Hosts marked stalled or offline by the stall watch', { state: 'stalled' }, result.stalled);
  m.inc('fleetboot_hosts_marked_total', 'Hosts marked stalled or offline by the stall watch', { state: 'offline' }, result.offline);
  for (const d of stalledDurations) {
    m.inc('fleetboot_boots_total', 'Boot attempts ended, by outcome', { outcome: 'stalled' });
    m.observe('fleetboot_boot_duration_seconds', 'Boot attempt duration, first DHCP to its end, by outcome', [5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600], { outcome: 'stalled' }, d);
  }
  await refreshFleetGauges(opts.store, m);
  return result;
}

async function refreshFleetGauges(store: EventStore, m: Metrics): Promise<void> {
  const hosts = await store.hostsByState();
  for (const s of hostStates) m.set('fleetboot_hosts', 'Hosts by state', { state: s }, hosts.get(s) ?? 0);
  const leases = await store.unexpiredLeasesByState();
  for (const s of ['offered', 'bound', 'released', 'declined', 'expired']) {
    m.set('fleetboot_dhcp_leases', 'Unexpired pool leases by state', { state: s }, leases.get(s) ?? 0);
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
