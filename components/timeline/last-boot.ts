// The host page's first words: how its last boot ended, in which phase, the reason in full and
// what to try, read from that boot's events (the agent's failure report, a refused or broken
// transfer, the phase a stalled boot stopped in). Pure; phases come from summarizeBoot, which
// reads events with bootd's own classifier (lib/boot-phase.ts).
import type { BootPhase } from '@/lib/boot-phase.ts';
import type { TimelineEvent, TimelineSession } from '@/lib/boot-event.ts';
import { formatDuration, summarizeBoot } from './boot-summary.ts';

export type LastBootOutcome = 'none' | 'booting' | 'up' | 'failed' | 'stalled' | 'interrupted';

export interface LastBootStory {
  outcome: LastBootOutcome;
  /** "Last boot failed in root fs" */
  headline: string;
  /** The phase it failed, stalled or was cut off in (or is in, while booting). */
  phase: BootPhase | null;
  /** The reason in full, as the agent or bootd gave it; null when the events give none. */
  reason: string | null;
  startedAt: string | null;
  /** First event to last. */
  durationMs: number | null;
  /** What to try, most specific first. */
  tries: string[];
}

export const phaseWords: Record<BootPhase, string> = { dhcp: 'DHCP', bootloader: 'the bootloader', kernel: 'the kernel', initrd: 'the initrd', rootfs: 'the root file system', up: 'up' };

const transferFailures = new Set(['transfer-error', 'transfer-aborted']);

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v : null;
}

/** "TFTP: discovery/kernel: not-found (File not found)" */
function transferReason(e: TimelineEvent): string {
  const file = text(e.detail.file) ?? 'a file';
  const why = [text(e.detail.reason), text(e.detail.message)].filter((x): x is string => x !== null);
  const what = e.type === 'transfer-aborted' ? 'the client stopped the transfer' : 'the transfer failed';
  return `${e.source.toUpperCase()} ${file}: ${what}${why.length ? ` (${why.join(': ')})` : ''}`;
}

/** The agent's failure report, else the last failed transfer of the boot. */
function reasonOf(events: readonly TimelineEvent[]): string | null {
  const failed = events.findLast((e) => e.source === 'agent' && e.type === 'failed');
  if (failed) return text(failed.detail.reason) ?? 'the agent reported a failure without a reason';
  const transfer = events.findLast((e) => (e.source === 'tftp' || e.source === 'http') && transferFailures.has(e.type));
  return transfer ? transferReason(transfer) : null;
}

// Reasons the agent and bootd give (boot-services/image-builder/init.sh REASON=…, the
// identity API's refusals, the health check), each with what an operator can do about it.
const triesByReason: Array<[RegExp, string]> = [
  [/sha256|checksum/i, 'The file the host downloaded does not match the image\'s checksum: upload that artifact again, and see on the Boot servers page whether the host\'s boot server holds a bad copy.'],
  [/no active image/i, 'Give the role an active image (Images), then power cycle the host.'],
  [/health check/i, 'The system came up but its health check failed: fix the service it checks, or the role\'s health check command.'],
  [/identity request failed|not leased|is not the address|no host has that name/i, 'The agent could not tell bootd who it is: check the host\'s MAC and address here, or boot it with fleetboot.host=<hostname>.'],
  [/nfs/i, 'Check that the role\'s NFS export is served and reachable from the host\'s network.'],
  [/tmpfs|unpack failed|no space|out of memory|decompress/i, 'The root did not fit in RAM: compare the host\'s RAM with what the image page says a ram root needs.'],
  [/mounting \/dev|ext4/i, 'The local disk root did not mount: check the disk named in the role\'s settings.'],
  [/not-found|file not found/i, 'A file the loader asked for does not exist: the boot doctor below lists the files each firmware fetches.'],
  [/not-cached|artifact-not-cached/i, 'The boot server is still pulling the image\'s artifacts: wait for the Boot servers page to show them synced, then boot again.'],
];

const triesByStall: Record<BootPhase, string> = {
  dhcp: 'No boot file reached it after DHCP: check the doctor\'s network and boot server checks, and that any DHCP relay forwards to the boot server.',
  bootloader: 'The firmware got its boot file and went no further: compare its firmware (BIOS, UEFI, Secure Boot) with the doctor\'s boot file for it.',
  kernel: 'The kernel download stopped: check the link to the boot server and its HTTP/TFTP service.',
  initrd: 'It stopped in the initrd: read its log lines; the agent reports each step it reaches.',
  rootfs: 'It stopped fetching or mounting its root: read its log lines for the agent\'s last step.',
  up: 'It reported up: nothing to do here.',
};

function triesFor(outcome: LastBootOutcome, phase: BootPhase | null, reason: string | null): string[] {
  const tries: string[] = [];
  if (reason) for (const [pattern, hint] of triesByReason) if (pattern.test(reason) && !tries.includes(hint)) tries.push(hint);
  if (outcome === 'stalled' && phase) tries.push(triesByStall[phase]);
  if (outcome === 'interrupted') tries.push('It was reset or power cycled before it finished: if nobody did that, look at its BMC and its console.');
  if (outcome === 'failed' || outcome === 'stalled' || outcome === 'interrupted') tries.push('Read the host\'s log lines and the boot doctor on this page, then boot it again from the Power panel.');
  return tries;
}

export function describeLastBoot(session: TimelineSession | undefined): LastBootStory {
  if (!session) {
    return { outcome: 'none', headline: 'It has not booted yet', phase: null, reason: null, startedAt: null, durationMs: null, tries: ['Power it on (Power panel) or boot it from the network; the boot doctor below says whether anything would stop it.'] };
  }
  const summary = summarizeBoot(session.events, session.outcome);
  const outcome: LastBootOutcome = session.outcome === 'up' || session.outcome === 'failed' || session.outcome === 'stalled' || session.outcome === 'interrupted' ? session.outcome : 'booting';
  const phase = summary.reached;
  const durationMs = summary.startedAtMs !== null && summary.lastEventAtMs !== null ? summary.lastEventAtMs - summary.startedAtMs : null;
  let reason = outcome === 'up' ? null : reasonOf(session.events);
  const where = phase ? ` in ${phaseWords[phase]}` : '';
  let headline: string;
  switch (outcome) {
    case 'up': {
      const up = session.events.findLast((e) => e.source === 'agent' && e.type === 'up');
      const health = up?.detail.health as { ok?: boolean; output?: string } | undefined;
      headline = `Last boot came up${durationMs !== null ? ` in ${formatDuration(durationMs)}` : ''}${health?.ok ? ', health check passed' : ''}`;
      break;
    }
    case 'failed':
      headline = `Last boot failed${where}`;
      break;
    case 'stalled':
      headline = `Last boot stalled${where}`;
      reason ??= `nothing was heard from it after it reached ${phase ? phaseWords[phase] : 'its first step'}${durationMs !== null ? `, ${formatDuration(durationMs)} into the boot` : ''}`;
      break;
    case 'interrupted':
      headline = `Last boot was cut short${where}`;
      reason ??= 'it started booting again before this boot finished';
      break;
    default:
      headline = `Booting: ${phase ? `in ${phaseWords[phase]}` : 'started'}`;
  }
  return { outcome, headline, phase, reason, startedAt: session.startedAt, durationMs, tries: triesFor(outcome, phase, reason) };
}
