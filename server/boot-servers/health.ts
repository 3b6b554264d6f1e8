// How the console judges a boot server from its registry row: healthy, lagging (alive but
// behind: its view, its artifacts, its event spool) or gone (no heartbeat), each with the why
// an operator can act on. Pure: the times come in.
import { bootServerHeartbeatSeconds } from '../../lib/boot-server-heartbeat.ts';

export type BootServerState = 'healthy' | 'lagging' | 'gone' | 'revoked';

/** Four missed heartbeats and some slack: the bootd is gone. */
export const goneAfterSeconds = bootServerHeartbeatSeconds * 4 + 5;
/** A change the bootd's view hasn't taken this long after it was written means it is behind. */
export const viewLagSeconds = 30;

export interface BootServerReport {
  revokedAt: Date | null;
  startedAt: Date | null;
  lastHeartbeatAt: Date | null;
  stoppedAt: Date | null;
  viewSeq: bigint | null;
  viewLive: boolean;
  artifactsNeeded: number;
  artifactsSynced: number;
  spoolDepth: number;
  /** What bootd's artifact sync reports (boot-services/artifacts/artifact-sync.ts), e.g. its last failed pull. */
  cacheState?: unknown;
}

/** The last failed pull in a heartbeat's cache state, in words ("sha256-mismatch: …"), or null. */
function lastPullFailure(cacheState: unknown): string | null {
  const f = (cacheState as { lastFailure?: { failure?: unknown; message?: unknown; sha256?: unknown } } | null)?.lastFailure;
  if (!f || typeof f.failure !== 'string') return null;
  const which = typeof f.sha256 === 'string' ? ` of ${f.sha256.slice(0, 12)}…` : '';
  return `last pull${which} failed: ${f.failure}${typeof f.message === 'string' ? ` (${f.message})` : ''}`;
}

export interface ChangeLogPosition {
  /** Newest "Change".seq. */
  headSeq: bigint;
  /** When the oldest change past the bootd's viewSeq was written (null: none). */
  oldestMissingAt: Date | null;
}

export interface BootServerHealth {
  state: BootServerState;
  reasons: string[];
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function judgeBootServer(s: BootServerReport, log: ChangeLogPosition, nowMs: number): BootServerHealth {
  if (s.revokedAt) return { state: 'revoked', reasons: ['its credential is revoked: the console refuses it'] };
  if (!s.lastHeartbeatAt) return { state: 'gone', reasons: ['never registered: start its bootd with FLEETBOOT_BOOTD_NAME and this credential'] };
  if (s.stoppedAt && s.stoppedAt >= s.lastHeartbeatAt) return { state: 'gone', reasons: [`stopped ${ago(nowMs - s.stoppedAt.getTime())} ago (clean shutdown)`] };
  const silentMs = nowMs - s.lastHeartbeatAt.getTime();
  if (silentMs > goneAfterSeconds * 1000) return { state: 'gone', reasons: [`no heartbeat for ${ago(silentMs)}`] };
  const reasons: string[] = [];
  if (!s.viewLive) reasons.push('serving its snapshot: not following the database');
  if (s.viewSeq !== null && log.oldestMissingAt && nowMs - log.oldestMissingAt.getTime() > viewLagSeconds * 1000) {
    reasons.push(`view ${log.headSeq - s.viewSeq} change(s) behind, the oldest ${ago(nowMs - log.oldestMissingAt.getTime())} old`);
  }
  if (s.artifactsSynced < s.artifactsNeeded) {
    const failure = lastPullFailure(s.cacheState);
    reasons.push(`${s.artifactsSynced} of ${s.artifactsNeeded} artifacts synced${failure ? `; ${failure}` : ''}`);
  }
  if (s.spoolDepth > 0) reasons.push(`${s.spoolDepth} boot event(s) spooled, waiting for the database`);
  return reasons.length ? { state: 'lagging', reasons } : { state: 'healthy', reasons: [] };
}
