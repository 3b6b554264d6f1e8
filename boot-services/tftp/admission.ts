// A cap on concurrent transfers, and past it a queue rather than a refusal: in a boot storm
// every machine gets its files, later rather than never (firmware waits and retries its RRQ;
// a queued request starts as soon as a slot frees, answering the port it asked from). Pure.

export interface AdmissionLimits {
  maxConcurrentTransfers: number;
  /** Beyond this many waiting, new requests are dropped silently: the firmware asks again. */
  maxQueuedRequests: number;
  /** A request older than this was given up by its client: don't start it. */
  maxQueueWaitMs: number;
}

export const defaultAdmissionLimits: AdmissionLimits = { maxConcurrentTransfers: 256, maxQueuedRequests: 4096, maxQueueWaitMs: 30_000 };

export type Admission = 'start' | 'queued' | 'duplicate' | 'queue-full';

interface Waiting<T> {
  key: string;
  request: T;
  queuedAtMs: number;
}

export class AdmissionQueue<T> {
  private readonly running = new Set<string>();
  private readonly waiting = new Map<string, Waiting<T>>();

  constructor(readonly limits: AdmissionLimits) {}

  get runningCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.waiting.size;
  }

  /** key: the client's address and port (its TID); a retransmitted RRQ has the same key. */
  admit(key: string, request: T, nowMs: number): Admission {
    if (this.running.has(key) || this.waiting.has(key)) return 'duplicate';
    if (this.running.size < this.limits.maxConcurrentTransfers) {
      this.running.add(key);
      return 'start';
    }
    if (this.waiting.size >= this.limits.maxQueuedRequests) return 'queue-full';
    this.waiting.set(key, { key, request, queuedAtMs: nowMs });
    return 'queued';
  }

  /** A transfer ended: frees its slot and returns the queued requests to start now. */
  release(key: string, nowMs: number): { start: { key: string; request: T }[]; expired: T[] } {
    this.running.delete(key);
    const start: { key: string; request: T }[] = [];
    const expired: T[] = [];
    for (const w of this.waiting.values()) {
      if (this.running.size >= this.limits.maxConcurrentTransfers) break;
      this.waiting.delete(w.key);
      if (nowMs - w.queuedAtMs > this.limits.maxQueueWaitMs) {
        expired.push(w.request);
        continue;
      }
      this.running.add(w.key);
      start.push({ key: w.key, request: w.request });
    }
    return { start, expired };
  }

  /** Drops everything waiting (shutdown). */
  drain(): T[] {
    const all = [...this.waiting.values()].map((w) => w.request);
    this.waiting.clear();
    return all;
  }
}
