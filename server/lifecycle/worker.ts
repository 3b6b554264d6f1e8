// The worker: every tick it moves the bulk power queue, each live stage and each rollout one
// step on, from what the database says (BulkPowerHost, ImageStage, Rollout, RolloutHost,
// BootEvent), so a restart of the web process resumes where it was. Started once per web
// process (instrumentation.ts); when several web processes share the database, only the one
// that holds the worker lead (leader.ts) runs passes, the others stand by to take over.
import { databaseUrl } from '../db/client.ts';
import { advanceBulkPower, sendThroughBmc, type BulkPowerSender } from '../power/bulk-queue.ts';
import { rebootThroughBmc, type HostRebooter } from './boot-host.ts';
import { fetchHealth, type HealthProbe } from './health-check.ts';
import { createWorkerLeadership, type WorkerLeadership } from './leader.ts';
import { advanceRollout, listLiveRolloutIds } from './rollout.ts';
import { advanceStage, listLiveStageIds } from './stage.ts';

export interface LifecycleWorkerOptions {
  tickMs?: number;
  now?: () => Date;
  reboot?: HostRebooter;
  probe?: HealthProbe;
  /** sends one host's command of a bulk power action */
  sendPower?: BulkPowerSender;
  /** when given, a pass runs only while this process holds the worker lead */
  leadership?: WorkerLeadership;
  log?: (message: string, err?: unknown) => void;
}

export interface LifecycleWorker {
  /** One pass over everything live (tests call it directly). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function createLifecycleWorker(opts: LifecycleWorkerOptions = {}): LifecycleWorker {
  const log = opts.log ?? ((m: string, err?: unknown) => console.error(`[worker] ${m}`, err ?? ''));
  const deps = { now: opts.now ?? (() => new Date()), reboot: opts.reboot ?? rebootThroughBmc, probe: opts.probe ?? fetchHealth };
  const sending = new Map<string, Promise<void>>();
  const bulkDeps = { now: deps.now, send: opts.sendPower ?? sendThroughBmc, sending, log };
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    // Never two passes at once: a slow BMC makes the next timer tick wait, not overlap.
    running ??= (async () => {
      try {
        if (stopped || (opts.leadership && !(await opts.leadership.ensureLeading()))) return;
        // The queue first: its commands run in the background, a rollout's reboots in the pass.
        await advanceBulkPower(bulkDeps).catch((err) => log('bulk power pass failed', err));
        for (const id of await listLiveStageIds()) {
          await advanceStage(id, deps).catch((err) => log(`stage ${id} step failed`, err));
        }
        for (const id of await listLiveRolloutIds()) {
          await advanceRollout(id, deps).catch((err) => log(`rollout ${id} step failed`, err));
        }
      } catch (err) {
        log('pass failed (database?)', err);
      }
    })().finally(() => { running = null; });
    return running;
  };
  let timer: NodeJS.Timeout | null = null;
  if (opts.tickMs) {
    timer = setInterval(() => void tick(), opts.tickMs);
    timer.unref();
  }
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
      await Promise.all(sending.values());
      await opts.leadership?.stop();
    },
  };
}

const globalWorker = globalThis as unknown as { fleetbootLifecycleWorker?: LifecycleWorker };

/** The web process's worker (FLEETBOOT_LIFECYCLE_TICK_MS, default 2000; 0 disables it). */
export function startLifecycleWorker(): void {
  const tickMs = Number(process.env.FLEETBOOT_LIFECYCLE_TICK_MS ?? 2000);
  if (!tickMs || globalWorker.fleetbootLifecycleWorker) return;
  globalWorker.fleetbootLifecycleWorker = createLifecycleWorker({ tickMs, leadership: createWorkerLeadership({ databaseUrl: databaseUrl() }) });
}
