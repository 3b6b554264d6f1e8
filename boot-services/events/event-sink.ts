// What the boot services record about a boot. The sink never blocks the caller: the
// batched writer (event-writer.ts) group-commits to Postgres and spools on failure.

import type { BootEventSource } from '../../lib/boot-event.ts';

export interface BootEventInput {
  /** The known host, when the packet or request could be tied to one. */
  hostId?: string | null;
  /** The client's MAC (lower-case colon form), also for unknown machines. */
  mac?: string | null;
  source: BootEventSource;
  /** Short machine word: "discover", "offer", "ack", "nak", "transfer-start", "transfer-done", ... */
  type: string;
  detail?: Record<string, unknown>;
  bytesDone?: number;
  bytesTotal?: number;
  at?: Date;
}

export interface EventSink {
  record(event: BootEventInput): void;
}

/** Collects events in memory: for unit tests of code that records events. */
export class MemoryEventSink implements EventSink {
  readonly events: BootEventInput[] = [];
  record(event: BootEventInput): void {
    this.events.push({ ...event, at: event.at ?? new Date() });
  }
}
