// A boot event's shapes, declared once: the record bootd writes (and spools as JSON), and the
// JSON the console sends to browsers (the live stream, a host's timeline). The table behind
// both is "BootEvent" (prisma/schema.prisma).

/** Where an event comes from. */
export type BootEventSource = 'dhcp' | 'dhcp6' | 'tftp' | 'http' | 'agent' | 'syslog' | 'bootd';

/** One event as bootd records it: its UUID, whom it is about, what happened, when (ISO 8601). */
export interface BootEventRecord {
  id: string;
  hostId: string | null;
  /** Lower-case colon form, also for unknown machines. */
  mac: string | null;
  source: string;
  /** Short machine word: "discover", "ack", "transfer-done", "progress", "host-state", … */
  type: string;
  at: string;
  detail: Record<string, unknown>;
  bytesDone: number | null;
  bytesTotal: number | null;
}

/** One committed event as the console sends it: the record, its seq, its session and host. */
export interface BootEventData extends BootEventRecord {
  /** The order of commit (a bigint, as text): streams resume after it. */
  seq: string;
  sessionId: string | null;
  hostname: string | null;
  roleId: string | null;
}

/** An event on a host's timeline (the host is the timeline's). */
export type TimelineEvent = Pick<BootEventData, 'seq' | 'id' | 'sessionId' | 'source' | 'type' | 'at' | 'detail' | 'bytesDone' | 'bytesTotal'>;

export interface TimelineSession {
  id: string;
  startedAt: string;
  endedAt: string | null;
  phase: string;
  outcome: string | null;
  events: TimelineEvent[];
  /** Events of the session left out (progress ticks beyond the limit). */
  omitted: number;
}

export interface HostTimeline {
  hostId: string;
  /** Newest first: [0] is the current (or last) boot. */
  sessions: TimelineSession[];
  afterSeq: string;
}
