// Boot sessions: groups boot events into "BootSession" rows (one boot attempt of one machine,
// keyed by MAC), committed in the event writer's transaction, so an event and the session it
// belongs to are committed together (or spooled together). A session's phase is the last phase
// its events reached; it ends `up` or `failed` by an agent report, `interrupted` when the machine
// starts booting again, or `stalled` by the stall watch (stall-watch.ts).
//
// The writer keeps each machine's latest session in memory (SessionBook) instead of reading it
// back for every batch: it writes them, under the event-order lock. The book is only trusted
// while no one else has written boot events since the writer's own last commit (the stall watch
// and other bootd write host-state or boot events whenever they touch a session); otherwise, and
// after any failed batch, it is dropped and the sessions are read again.
import { randomUUID } from 'node:crypto';
import type { BootEventRecord } from '../../lib/boot-event.ts';
import { classifyEvent, laterPhase, startsNewSession, type BootPhase } from '../../lib/boot-phase.ts';
import type { SessionRow } from '../store/events.ts';

/** What session assignment reads of an event. */
export type SessionEvent = Omit<BootEventRecord, 'bytesDone' | 'bytesTotal'>;

export interface FinishedBoot {
  outcome: string;
  durationSeconds: number;
}

export interface SessionAssignment {
  /** event id → session id */
  sessionOf: Map<string, string>;
  /** The latest session of each host touched by the batch: what the host's state follows. */
  hostSessions: Map<string, { sessionId: string; phase: BootPhase; outcome: string | null; at: string }>;
  finished: FinishedBoot[];
  /** Sessions created or changed: the rows to write. */
  changed: SessionRow[];
  /** Each MAC's latest session after the batch: what the book holds once the batch committed. */
  latest: Map<string, SessionRow>;
}

/** Default quiet gap: a firmware DISCOVER this long after the session's last event starts a new boot even mid-way. */
export const defaultSessionGapSeconds = 600;

/** FLEETBOOT_SESSION_GAP_SECONDS, checked. */
export function sessionGapSeconds(env: Record<string, string | undefined> = process.env): number {
  const raw = env.FLEETBOOT_SESSION_GAP_SECONDS;
  if (raw === undefined || raw === '') return defaultSessionGapSeconds;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`FLEETBOOT_SESSION_GAP_SECONDS must be a positive number of seconds, got "${raw}"`);
  return n;
}

/** Bound on machines remembered; the least recently active are read again when they come back. */
const bookMachines = 200_000;

/** Each machine's latest session as last committed by this writer (null: known to have none). */
export class SessionBook {
  private readonly byMac = new Map<string, SessionRow | null>();
  /** The newest "BootEvent" seq when the book was last known current; null: not current. */
  head: string | null = null;

  get size(): number {
    return this.byMac.size;
  }

  knows(mac: string): boolean {
    return this.byMac.has(mac);
  }

  latest(mac: string): SessionRow | null {
    return this.byMac.get(mac) ?? null;
  }

  /** Puts sessions read from the database or committed by the writer (rows are then the book's). */
  remember(rows: Map<string, SessionRow | null>): void {
    for (const [mac, row] of rows) {
      // Delete first: Map order is then least recently active first.
      this.byMac.delete(mac);
      this.byMac.set(mac, row);
    }
    for (const mac of this.byMac.keys()) {
      if (this.byMac.size <= bookMachines) break;
      this.byMac.delete(mac);
    }
  }

  forget(): void {
    this.byMac.clear();
    this.head = null;
  }
}

/**
 * Assigns each event of the batch to its boot session. Pure: reads each MAC's latest session
 * through `latestOf` and never changes those rows (a batch that fails to commit leaves the book
 * as it was); `macOf` ties an event without a MAC (HTTP known by address) to its host's MAC.
 */
export function assignSessions<E extends SessionEvent>(
  events: E[],
  latestOf: (mac: string) => SessionRow | null,
  macOf: (e: E) => string | null,
  quietGapSeconds: number,
): SessionAssignment {
  const result: SessionAssignment = { sessionOf: new Map(), hostSessions: new Map(), finished: [], changed: [], latest: new Map() };
  const current = result.latest;
  const changed = new Map<string, SessionRow>();
  for (const e of events) {
    const mac = macOf(e);
    if (!mac) continue;
    const c = classifyEvent(e);
    const at = new Date(e.at);
    let s = current.get(mac);
    if (s === undefined) {
      const stored = latestOf(mac);
      s = stored ? { ...stored } : undefined;
      if (s) current.set(mac, s);
    }
    if (startsNewSession(c, s ?? null, at, quietGapSeconds)) {
      if (s && s.outcome === null) {
        s.outcome = 'interrupted';
        s.endedAt = s.lastEventAt;
        changed.set(s.id, s);
        result.finished.push({ outcome: 'interrupted', durationSeconds: (s.lastEventAt.getTime() - s.startedAt.getTime()) / 1000 });
      }
      s = { id: randomUUID(), hostId: e.hostId, mac, startedAt: at, endedAt: null, phase: c.phase ?? 'dhcp', outcome: null, lastEventAt: at };
      current.set(mac, s);
      changed.set(s.id, s);
    }
    if (!s) continue;
    result.sessionOf.set(e.id, s.id);
    if (at > s.lastEventAt) s.lastEventAt = at;
    if (!s.hostId && e.hostId) {
      s.hostId = e.hostId;
      changed.set(s.id, s);
    }
    const before = `${s.phase}|${s.outcome}`;
    if (s.outcome === 'stalled' && (c.phase !== null || c.outcome !== null)) {
      // Progress after a stall: the boot goes on.
      s.outcome = null;
      s.endedAt = null;
    }
    if (s.outcome === null) {
      s.phase = laterPhase(s.phase, c.phase);
      if (c.outcome) {
        s.outcome = c.outcome;
        s.endedAt = at;
        result.finished.push({ outcome: c.outcome, durationSeconds: (at.getTime() - s.startedAt.getTime()) / 1000 });
      }
    }
    if (before !== `${s.phase}|${s.outcome}`) changed.set(s.id, s);
    if (s.hostId) result.hostSessions.set(s.hostId, { sessionId: s.id, phase: s.phase, outcome: s.outcome, at: e.at });
  }
  result.changed = [...changed.values()];
  return result;
}

/** The JSON the writer's statement reads the changed sessions from. */
export function sessionRowsJson(rows: SessionRow[]): string {
  return JSON.stringify(rows.map((s) => ({ id: s.id, hostId: s.hostId, mac: s.mac, startedAt: s.startedAt.toISOString(), endedAt: s.endedAt?.toISOString() ?? null, phase: s.phase, outcome: s.outcome })));
}
