// The lifecycle worker: every tick it moves each live stage and rollout one step on, from
// what the database says (ImageStage, Rollout, RolloutHost, BootEvent), so a restart of the
// web process resumes where it was. Started once per web process (instrumentation.ts). One web
// process per database is the design (DESIGN.md "Growing past one machine"); the steps are
// written so a second one would do no harm (conditional updates claim each transition).
import { rebootThroughBmc, type HostRebooter } from './boot-host.ts';
import { fetchHealth, type HealthProbe } from './health-check.ts';
import { advanceRollout, listLiveRolloutIds } from './rollout.ts';
import { advanceStage, listLiveStageIds } from './stage.ts';

export interface LifecycleWorkerOptions {
  tickMs?: number;
  now?: () => Date;
  reboot?: HostRebooter;
  probe?: HealthProbe;
  log?: (message: string, err?: unknown) => void;
}

export interface LifecycleWorker {
  /** One pass over everything live (tests call it directly). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function createLifecycleWorker(opts: LifecycleWorkerOptions = {}): LifecycleWorker {
  const deps = { now: opts.now ?? (() => new Date()), reboot: opts.reboot ?? rebootThroughBmc, probe: opts.probe ?? fetchHealth };
  const log = opts.log ?? ((m: string, err?: unknown) => console.error(`[lifecycle] ${m}`, err ?? ''));
  let running: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    // Never two passes at once: a slow BMC makes the next timer tick wait, not overlap.
    running ??= (async () => {
      try {
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
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

const globalWorker = globalThis as unknown as { fleetbootLifecycleWorker?: LifecycleWorker };

/** The web process's worker (FLEETBOOT_LIFECYCLE_TICK_MS, default 2000; 0 disables it). */
export function startLifecycleWorker(): void {
  const tickMs = Number(process.env.FLEETBOOT_LIFECYCLE_TICK_MS ?? 2000);
  if (!tickMs || globalWorker.fleetbootLifecycleWorker) return;
  globalWorker.fleetbootLifecycleWorker = createLifecycleWorker({ tickMs });
}
