// The web process's one HostConsoles: SOL links to hosts' BMCs through ipmitool, audited in
// the audit log, with the limits from the environment.
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { findBmcTarget, ipmiOptions } from '../power/host-power.ts';
import * as bootConsoleQueries from './boot-console-queries.ts';
import { BootConsoleRecorder } from './boot-console-recorder.ts';
import { HostConsoles, type ConsoleAuditAction } from './host-consoles.ts';
import { openSolLink } from './sol-link.ts';

function positiveNumberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export async function auditConsole(actor: Actor, action: ConsoleAuditAction, hostId: string, detail: Record<string, unknown>): Promise<void> {
  await db()
    .$transaction((tx) => writeAudit(tx, actor, action, 'host', hostId, null, detail))
    .catch((err: Error) => console.error(`console audit of ${action} on ${hostId} not written: ${err.message}`));
}

export function createHostConsoles(log: (line: string) => void = (line) => console.log(line)): HostConsoles {
  return new HostConsoles({
    async openLink(hostId, { deactivateFirst }) {
      const host = await db().host.findUnique({ where: { id: hostId } });
      const target = host ? findBmcTarget(host) : null;
      if (!target) throw new Error(host ? `${host.hostname} has no BMC (address, user and password are all needed)` : 'the host no longer exists');
      return openSolLink(target, { ...ipmiOptions(), deactivateFirst });
    },
    audit: auditConsole,
    maxLinks: positiveNumberFromEnv('FLEETBOOT_CONSOLE_MAX_SESSIONS', 100),
    idleCloseMs: positiveNumberFromEnv('FLEETBOOT_CONSOLE_IDLE_MS', 15_000),
    maxQueuedBytesPerViewer: 1024 * 1024,
    scrollbackBytes: 64 * 1024,
    log,
  });
}

/** Records every open boot's console of hosts with a BMC (FLEETBOOT_CONSOLE_RECORD_MAX_CHARS per boot). */
export function createBootConsoleRecorder(consoles: HostConsoles, log: (line: string) => void = (line) => console.log(line)): BootConsoleRecorder {
  return new BootConsoleRecorder({
    consoles,
    store: bootConsoleQueries,
    pollMs: 2_000,
    flushMs: 1_000,
    maxCharsPerBoot: positiveNumberFromEnv('FLEETBOOT_CONSOLE_RECORD_MAX_CHARS', 1_000_000),
    pendingMs: 5 * 60_000,
    log,
  });
}
