// A named bootd in the boot server registry: it registers at start and heartbeats what the
// console shows on its Boot servers page (version, addresses, status URL, networks served, its
// view's position in the change log, artifacts synced of needed, spool depth, cache state).
// A wrong name or credential stops bootd at start (a typo must not look like a working site);
// a credential revoked later stops it too: revoking is how an admin retires a boot server.
// With the database away, bootd goes on serving and beats again when it is back.
import os from 'node:os';
import type { Logger } from '../bootd-context.ts';
import type { BootServerReport, BootServerStore, HeartbeatResult } from '../store/boot-servers.ts';
import { bootServerHeartbeatSeconds } from '../../lib/boot-server-heartbeat.ts';

export interface BootServerHeartbeatOptions {
  store: Pick<BootServerStore, 'heartbeat' | 'markStopped'>;
  name: string;
  report: () => BootServerReport;
  log: Logger;
  /** Called when the registry refuses this bootd after start (revoked, or deleted). */
  onRefused: (why: string) => void;
  intervalMs?: number;
}

export function refusalMessage(name: string, result: Exclude<HeartbeatResult, 'ok'>): string {
  return result === 'revoked'
    ? `boot server ${name}: its credential is revoked in the console`
    : `boot server ${name}: no boot server by this name with this credential (check FLEETBOOT_BOOTD_NAME and its credential; the console shows a credential once, when the boot server is made)`;
}

export class BootServerHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private registered = false;
  private databaseAway = false;

  constructor(private readonly opts: BootServerHeartbeatOptions) {}

  /**
   * Registers. Throws when the registry refuses the name or credential; with the database away
   * it resolves (bootd serves from its snapshot) and registration happens at a later beat.
   */
  async start(): Promise<void> {
    await this.beat(true);
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? bootServerHeartbeatSeconds * 1000);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.beating) return;
    this.beating = this.beat(!this.registered)
      .catch((err: Error) => {
        this.stopTimer();
        this.opts.onRefused(err.message);
      })
      .finally(() => { this.beating = null; });
  }

  private async beat(starting: boolean): Promise<void> {
    let result: HeartbeatResult;
    try {
      result = await this.opts.store.heartbeat(this.opts.report(), starting);
    } catch (err) {
      if (!this.databaseAway) this.opts.log.warn('boot server heartbeat not written; serving on and retrying', { error: (err as Error).message });
      this.databaseAway = true;
      return;
    }
    if (this.databaseAway) this.opts.log.info('boot server heartbeat written again');
    this.databaseAway = false;
    if (result !== 'ok') throw new Error(refusalMessage(this.opts.name, result));
    if (!this.registered) this.opts.log.info('registered as a boot server', { name: this.opts.name });
    this.registered = true;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops beating and marks the row stopped (bounded: a gone database doesn't hold shutdown). */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.beating;
    if (!this.registered) return;
    await Promise.race([
      this.opts.store.markStopped().catch(() => undefined),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
  }
}

/** The machine's IPv4 addresses, the server address first. */
export function machineAddresses(serverAddress: string): string[] {
  const found = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address);
  return [...new Set([serverAddress, ...found])];
}
