// Machines behind ipmi_sim BMCs that "boot" when powered on: the chassis script records each
// power-on (recordPowerOnHook), and a while later the simulator writes the boot agent's "up"
// as bootd does (a BootEvent row). Tests read the recorded times to check how many hosts were
// booting at once, and can hold the "up" reports to catch a queue or rollout mid-way.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { IpmiSim } from './ipmi-sim-lab.ts';

/** onPowerOn for startIpmiSim: appends the time (ms) to <sim dir>/power-on.log ($dir is the chassis script's). */
export const recordPowerOnHook = 'date +%s%3N >> "$dir/power-on.log"';

export interface SimulatedBoot {
  hostId: string;
  /** when the BMC powered the machine on (ms, from the chassis script) */
  onAt: number;
  /** when the simulator sent its "up" (ms; before the row was written, so nothing saw it earlier) */
  upAt: number | null;
}

export interface BootSimulator {
  boots(): SimulatedBoot[];
  powerOnCount(hostId: string): number;
  /** Stop reporting "up" until release(). */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

export function simulateBoots(opts: { databaseUrl: string; hosts: Array<{ hostId: string; sim: IpmiSim }>; bootMs?: number; pollMs?: number }): BootSimulator {
  const bootMs = opts.bootMs ?? 1500;
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 2 });
  const boots: SimulatedBoot[] = [];
  const logOf = (sim: IpmiSim) => path.join(sim.dir, 'power-on.log');
  const readLog = (sim: IpmiSim) => (fs.existsSync(logOf(sim)) ? fs.readFileSync(logOf(sim), 'utf8').split('\n').filter(Boolean) : []);
  // Power-ons from before this simulator (an earlier test on the same BMC) are not its boots.
  const seen = new Map(opts.hosts.map(({ hostId, sim }) => [hostId, readLog(sim).length]));
  let held = false;
  let stopped = false;
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const { hostId, sim } of opts.hosts) {
        const lines = readLog(sim);
        for (const line of lines.slice(seen.get(hostId) ?? 0)) boots.push({ hostId, onAt: Number(line), upAt: null });
        seen.set(hostId, lines.length);
      }
      if (held) return;
      for (const b of boots.filter((x) => x.upAt === null && Date.now() >= x.onAt + bootMs)) {
        b.upAt = Date.now();
        await pool.query(`INSERT INTO "BootEvent" (id, "hostId", source, type, at, detail) VALUES ($1, $2, 'agent', 'up', now(), '{}')`, [randomUUID(), b.hostId]);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll().catch((err) => console.error('boot simulator', err)), opts.pollMs ?? 100);
  return {
    boots: () => boots.map((b) => ({ ...b })),
    powerOnCount: (hostId) => boots.filter((b) => b.hostId === hostId).length,
    hold: () => { held = true; },
    release: () => { held = false; },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
      await pool.end();
    },
  };
}

/** The most intervals [start, end) open at one moment; an open end counts as still running. */
export function maxOverlap(intervals: Array<{ start: number; end: number | null }>): number {
  const points = intervals.flatMap((i) => [{ t: i.start, d: 1 }, { t: i.end ?? Infinity, d: -1 }]);
  // An end and a start at the same instant: the end first (the slot was free).
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let most = 0;
  for (const p of points) {
    open += p.d;
    most = Math.max(most, open);
  }
  return most;
}
