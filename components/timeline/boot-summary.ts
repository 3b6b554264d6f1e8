// One boot's events as the timeline shows them: each phase (dhcp → up) with when it began, how
// long it took, and the transfers in it with their byte progress. Pure; phases are read with
// bootd's own classifier (lib/boot-phase.ts) so screen and database agree.
import { bootPhases, classifyEvent, type BootPhase } from '@/lib/boot-phase.ts';
import type { TimelineEvent } from '@/lib/boot-event.ts';

export interface TransferProgress {
  file: string;
  source: string;
  bytesDone: number;
  bytesTotal: number | null;
  state: 'running' | 'done' | 'error' | 'aborted';
  /** From the server's transfer-done/aborted event: start to last byte sent. */
  durationMs: number | null;
  bytesPerSecond: number | null;
  /** The Range the client asked for, when it asked for part of the file. */
  range: string | null;
}

export interface PhaseSummary {
  phase: BootPhase;
  startedAtMs: number | null;
  /** Until the next phase began, or the boot's last event for the phase it is in. */
  durationMs: number | null;
  status: 'done' | 'current' | 'pending' | 'stalled' | 'failed';
  transfers: TransferProgress[];
}

export interface BootSummary {
  phases: PhaseSummary[];
  startedAtMs: number | null;
  lastEventAtMs: number | null;
  reached: BootPhase | null;
}

export function summarizeBoot(events: TimelineEvent[], outcome: string | null): BootSummary {
  const start = new Map<BootPhase, number>();
  const transfers = new Map<BootPhase, Map<string, TransferProgress>>();
  let reached: BootPhase | null = null;
  let first: number | null = null;
  let last: number | null = null;
  for (const e of events) {
    const at = Date.parse(e.at);
    first ??= at;
    last = at;
    const c = classifyEvent(e);
    if (!c.phase) continue;
    if (!start.has(c.phase)) start.set(c.phase, at);
    if (reached === null || bootPhases.indexOf(c.phase) > bootPhases.indexOf(reached)) reached = c.phase;
    const file = typeof e.detail.file === 'string' ? e.detail.file : null;
    if (file && (e.source === 'tftp' || e.source === 'http') && (e.type.startsWith('transfer') || e.type === 'progress')) {
      const byFile = transfers.get(c.phase) ?? new Map<string, TransferProgress>();
      transfers.set(c.phase, byFile);
      const t: TransferProgress = byFile.get(file) ?? { file, source: e.source, bytesDone: 0, bytesTotal: e.bytesTotal, state: 'running', durationMs: null, bytesPerSecond: null, range: null };
      if (e.bytesDone !== null) t.bytesDone = e.bytesDone;
      if (e.bytesTotal !== null) t.bytesTotal = e.bytesTotal;
      if (typeof e.detail.range === 'string') t.range = e.detail.range;
      if (typeof e.detail.durationMs === 'number') t.durationMs = e.detail.durationMs;
      if (typeof e.detail.bytesPerSecond === 'number') t.bytesPerSecond = e.detail.bytesPerSecond;
      if (e.type === 'transfer-done') {
        t.state = 'done';
        // A Range request sent part of the file: its bytes say how much, not the file's size.
        if (t.bytesTotal !== null && !t.range) t.bytesDone = t.bytesTotal;
      } else if (e.type === 'transfer-error') t.state = 'error';
      else if (e.type === 'transfer-aborted') t.state = 'aborted';
      else t.state = 'running';
      byFile.set(file, t);
    }
    // Agent reports carry bytes for the root file system: downloaded, and unpacked into RAM.
    if (e.source === 'agent' && e.bytesTotal) {
      const byFile = transfers.get(c.phase) ?? new Map<string, TransferProgress>();
      transfers.set(c.phase, byFile);
      const label = e.type === 'rootfs-unpack' ? 'rootfs unpacked (agent)' : 'rootfs (agent)';
      byFile.set(label, { file: label, source: 'agent', bytesDone: e.bytesDone ?? 0, bytesTotal: e.bytesTotal, state: e.bytesDone === e.bytesTotal ? 'done' : 'running', durationMs: null, bytesPerSecond: null, range: null });
    }
  }
  const reachedRank = reached === null ? -1 : bootPhases.indexOf(reached);
  const phases = bootPhases.map((phase, i): PhaseSummary => {
    const began = start.get(phase) ?? null;
    const nextStart = bootPhases.slice(i + 1).map((p) => start.get(p)).find((t) => t !== undefined) ?? null;
    let status: PhaseSummary['status'] = 'pending';
    if (i < reachedRank) status = 'done';
    else if (i === reachedRank) {
      if (phase === 'up') status = 'done';
      else status = outcome === 'stalled' ? 'stalled' : outcome === 'failed' ? 'failed' : outcome === null ? 'current' : 'done';
    }
    const end = nextStart ?? (i === reachedRank ? last : null);
    return {
      phase,
      startedAtMs: began,
      durationMs: began !== null && end !== null && phase !== 'up' ? end - began : null,
      status,
      transfers: [...(transfers.get(phase)?.values() ?? [])],
    };
  });
  return { phases, startedAtMs: first, lastEventAtMs: last, reached };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** e.g. "12.3 MiB/s" */
export function formatRate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '' : `${formatBytes(bytesPerSecond)}/s`;
}

/** What a finished transfer's line says after its bytes: "done in 1.2 s · 6.5 MiB/s", "aborted", "range bytes=0-99". */
export function transferOutcomeText(t: TransferProgress): string {
  const parts: string[] = [];
  if (t.state === 'done') parts.push(t.durationMs !== null ? `done in ${formatDuration(t.durationMs)}` : 'done');
  else if (t.state === 'error') parts.push('error');
  else if (t.state === 'aborted') parts.push(t.durationMs !== null ? `aborted after ${formatDuration(t.durationMs)}` : 'aborted');
  if (t.state === 'done' && t.bytesPerSecond !== null) parts.push(formatRate(t.bytesPerSecond));
  if (t.range) parts.push(`range ${t.range.replace(/^bytes=/, '')}`);
  return parts.join(' · ');
}
