// Requests bootd refuses from a source it can't trust (the boot agent API's 4xx answers, the
// status endpoint's unsigned log requests), counted per source and written as events no more
// than once a source and minute (issue 17: 300 refused requests in 1.6 s stored 300 events and
// filled the dashboard). A source's first refusal is an event at once, so an operator sees the
// very first probe; what follows within the minute is counted and written as one summary event
// when the minute is over, and a source still refused then starts its next minute.
import type { Logger } from '../bootd-context.ts';
import type { BootEventSource } from '../../lib/boot-event.ts';
import type { EventSink } from './event-sink.ts';
import type { Metrics } from '../metrics.ts';

/** One summary event per source in this window. */
export const refusalWindowMs = 60_000;
/** Sources with their own metric label; later ones are counted as source="other" (label sets aren't free). */
export const maxLabelledSources = 256;
/** Sources with their own events per window; refusals from more are summed into one "other sources" event. */
export const maxEventSourcesPerWindow = 100;
/** Addresses the "other sources" summary tells apart (its count goes on past them). */
const maxCountedAddresses = 10_000;
/** The source key under which refusals beyond maxEventSourcesPerWindow are summed. */
export const otherSources = 'other';

export interface Refusal {
  /** The event's source: which service refused. */
  service: Extract<BootEventSource, 'agent' | 'bootd'>;
  /** The client address the request came from. */
  clientIp: string;
  /** What was asked for: a route name or a path. */
  route: string;
  status: number;
  reason: string;
  /** Who the request claimed to speak for (MAC, host name): in the detail only, never on a host's timeline. */
  claimed?: Record<string, string | undefined>;
}

interface SourceWindow {
  service: Refusal['service'];
  clientIp: string;
  startedAtMs: number;
  /** Refusals since the window's first (which was its own event). */
  count: number;
  lastAtMs: number;
  routes: Record<string, number>;
  statuses: Record<string, number>;
  lastReason: string;
  /** For the "other sources" window: which addresses it sums. */
  addresses?: Set<string>;
}

export interface RefusalSummaryOptions {
  events: EventSink;
  metrics: Metrics;
  log: Logger;
  /** Injected for tests; Date.now by default. */
  nowMs?: () => number;
  /** How often windows are looked at; a summary is written at most this late. */
  sweepMs?: number;
}

export class RefusalSummary {
  private readonly windows = new Map<string, SourceWindow>();
  private readonly labelled = new Set<string>();
  private readonly timer: NodeJS.Timeout | null;
  private readonly now: () => number;

  constructor(private readonly opts: RefusalSummaryOptions) {
    this.now = opts.nowMs ?? Date.now;
    const sweepMs = opts.sweepMs ?? 5_000;
    this.timer = sweepMs > 0 ? setInterval(() => this.sweep(), sweepMs) : null;
    this.timer?.unref();
  }

  /** Counts a refusal; writes it as an event when it is its source's first this minute. */
  refused(r: Refusal): void {
    const nowMs = this.now();
    const sourceKey = `${r.service} ${r.clientIp}`;
    this.countMetric(r, sourceKey);
    const open = this.windows.get(sourceKey) ?? (this.windows.size >= maxEventSourcesPerWindow ? this.windows.get(`${r.service} ${otherSources}`) : undefined);
    if (open) {
      add(open, r, nowMs);
      return;
    }
    if (this.windows.size >= maxEventSourcesPerWindow) {
      // Too many sources this minute (a scan, spoofed addresses): one window sums the rest, and its first refusal is an event too.
      const other: SourceWindow = { ...emptyWindow(r, nowMs), clientIp: otherSources, addresses: new Set<string>() };
      this.windows.set(`${r.service} ${otherSources}`, other);
      this.record(r.service, nowMs, { route: r.route, clientIp: r.clientIp, status: r.status, reason: r.reason, ...r.claimed, count: 1, note: `more than ${maxEventSourcesPerWindow} sources refused this minute: the rest are summed` });
      return;
    }
    this.windows.set(sourceKey, emptyWindow(r, nowMs));
    this.record(r.service, nowMs, { route: r.route, clientIp: r.clientIp, status: r.status, reason: r.reason, ...r.claimed, count: 1 });
    this.opts.log.warn('request refused', { service: r.service, route: r.route, clientIp: r.clientIp, status: r.status, reason: r.reason, note: 'further refusals from this source are summed once a minute' });
  }

  /** Writes the summaries of windows a minute old; a source refused again keeps a window open. */
  sweep(final = false): void {
    const nowMs = this.now();
    for (const [key, w] of this.windows) {
      if (!final && nowMs - w.startedAtMs < refusalWindowMs) continue;
      if (w.count > 0) {
        this.record(w.service, nowMs, {
          clientIp: w.clientIp, count: w.count, summary: true,
          from: new Date(w.startedAtMs).toISOString(), to: new Date(w.lastAtMs).toISOString(),
          routes: w.routes, statuses: w.statuses, reason: w.lastReason,
          ...(w.addresses ? { sources: w.addresses.size } : {}),
        });
        // Still refused: the next window starts now, and its first refusal is not an event of its own.
        this.windows.set(key, { ...w, startedAtMs: nowMs, count: 0, routes: {}, statuses: {}, ...(w.addresses ? { addresses: new Set() } : {}) });
      } else {
        this.windows.delete(key);
      }
    }
  }

  /** Sources with a window open (tests, status). */
  openSources(): number {
    return this.windows.size;
  }

  /** Writes every pending summary (shutdown). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.sweep(true);
    this.windows.clear();
  }

  private countMetric(r: Refusal, sourceKey: string): void {
    if (!this.labelled.has(sourceKey) && this.labelled.size < maxLabelledSources) this.labelled.add(sourceKey);
    const source = this.labelled.has(sourceKey) ? r.clientIp : otherSources;
    this.opts.metrics.inc('fleetboot_refused_requests_total', `Requests bootd refused, by service and client address (after ${maxLabelledSources} addresses: source="other")`, { service: r.service, source });
  }

  private record(service: Refusal['service'], nowMs: number, detail: Record<string, unknown>): void {
    this.opts.events.record({ source: service, type: 'rejected', hostId: null, mac: null, at: new Date(nowMs), detail });
  }
}

function emptyWindow(r: Refusal, nowMs: number): SourceWindow {
  return { service: r.service, clientIp: r.clientIp, startedAtMs: nowMs, count: 0, lastAtMs: nowMs, routes: {}, statuses: {}, lastReason: r.reason };
}

function add(w: SourceWindow, r: Refusal, nowMs: number): void {
  w.count++;
  w.lastAtMs = nowMs;
  w.routes[r.route] = (w.routes[r.route] ?? 0) + 1;
  w.statuses[String(r.status)] = (w.statuses[String(r.status)] ?? 0) + 1;
  w.lastReason = r.reason;
  if (w.addresses && w.addresses.size < maxCountedAddresses) w.addresses.add(r.clientIp);
}
