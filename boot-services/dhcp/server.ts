// The DHCP packet loop: bytes in → decode → policy → reply out, with RFC 2131 §4.1 reply
// addressing. Transport-agnostic (service.ts gives it real UDP sockets, tests give it a
// fake); every datagram ends in exactly one counted result: replied, ignored or dropped.
import type { Logger } from '../bootd-context.ts';
import { DroppedEventGate } from '../events/dropped-event-gate.ts';
import type { EventSink } from '../events/event-sink.ts';
import type { Metrics } from '../metrics.ts';
import { decodePacket, encodePacket, getClientMac, getMaxMessageBytes, getMessageType, type DhcpPacket } from './codec.ts';
import { broadcastFlag, clientPort as defaultClientPort, messageTypeName, MessageType, serverPort as defaultServerPort } from '../../lib/dhcp/options.ts';
import type { DhcpPolicy, PolicyOutcome } from './policy.ts';

export interface DhcpTransport {
  send(bytes: Buffer, port: number, address: string): void;
}

export interface ReplyDestination {
  address: string;
  port: number;
}

const limitedBroadcast = '255.255.255.255';
const zeroAddress = '0.0.0.0';

/**
 * RFC 2131 §4.1 "server → client": to the relay when giaddr is set; NAKs broadcast; to
 * ciaddr when the client has an address; else broadcast. (The RFC's last case, unicast to
 * chaddr/yiaddr, needs an ARP entry made by hand, which Node's dgram can't do: broadcast
 * reaches the same client.)
 */
export function replyDestination(request: DhcpPacket, replyType: MessageType, ports: { clientPort: number; serverPort: number }): ReplyDestination {
  if (request.giaddr !== zeroAddress) return { address: request.giaddr, port: ports.serverPort };
  if (replyType === MessageType.Nak) return { address: limitedBroadcast, port: ports.clientPort };
  if (request.ciaddr !== zeroAddress) return { address: request.ciaddr, port: ports.clientPort };
  return { address: limitedBroadcast, port: ports.clientPort };
}

export interface DhcpServerOptions {
  policy: Pick<DhcpPolicy, 'handle'>;
  transport: DhcpTransport;
  events: EventSink;
  metrics: Metrics;
  log: Logger;
  clientPort?: number;
  serverPort?: number;
  /**
   * REQUESTs waiting for their lease commit at once; beyond it new REQUESTs are dropped, not
   * queued without end. Only packets that wait count: a DISCOVER is answered from memory.
   */
  maxWaiting?: number;
  /**
   * The socket is not bound to a boot interface (service.ts: the server address, for relays):
   * only relayed (giaddr) and renewing (ciaddr) requests are taken; a client's own request that
   * reached it came in on another LAN and is ignored as `off-boot-interface`.
   */
  relayedOnly?: boolean;
  /** How often the per-packet counters reach `metrics` (tests call flushMetrics()). */
  metricsFlushMs?: number;
  now?: () => number;
}

const packetsMetric = 'fleetboot_dhcp_packets_total';
const packetsHelp = 'DHCP packets received, by message type and result';
/** Ignored outcomes that end an exchange normally: the inbound event (decline, release) tells it. */
const inboundOnlyOutcomes = new Set(['released', 'declined']);
/**
 * Ignored outcomes that are another server's business, counted but never an event: half of
 * all unknown DISCOVERs belong to the peer bootd (RFC 3074), and a REQUEST that selects
 * another server is that server's to record.
 */
const silentOutcomes = new Set(['peer-half', 'peer-half-waiting', 'other-server']);
const defaultMaxWaiting = 4096;

/** The same exchange again within this long is a repeat: counted on the next recorded event instead. */
export const repeatedExchangeMs = 5000;

/** One recorded exchange of a client: what makes it the same exchange, and when. */
interface RecordedExchange {
  reply: string;
  form: unknown;
  ip: unknown;
  ipxe: boolean;
  arch: unknown;
  vendorClass: unknown;
  atMs: number;
  skipped: number;
}

/** Clients remembered, and exchanges per client (a boot's stages: PXE ROM, iPXE, an OS; OFFER and ACK). */
const repeatsMaxClients = 20_000;
const repeatsPerClient = 8;

/**
 * Which answered exchanges were just recorded, per client: MAC + reply type + address + what
 * the client is (PXE ROM, iPXE, an OS: the boot's stages, each recorded). Fields are compared
 * as they are (no key string built per packet). Bounded: the least recently recorded clients go first.
 */
class RepeatedExchanges {
  private readonly byMac = new Map<string, RecordedExchange[]>();

  /** null: a repeat, skip its events; else the repeats skipped since the last recorded one. */
  check(outcome: Extract<PolicyOutcome, { result: 'replied' }>, replyName: string, nowMs: number): number | null {
    if (!outcome.mac) return 0;
    const traits = (outcome.inbound ?? outcome.detail).traits as { vendorClass?: string; ipxe?: boolean; arch?: number } | undefined;
    const form = outcome.detail.form;
    const ip = outcome.detail.ip;
    const ipxe = traits?.ipxe === true;
    let list = this.byMac.get(outcome.mac);
    let seen: RecordedExchange | undefined;
    if (list) {
      for (const e of list) {
        if (e.reply === replyName && e.form === form && e.ip === ip && e.ipxe === ipxe && e.arch === traits?.arch && e.vendorClass === traits?.vendorClass) { seen = e; break; }
      }
    }
    if (seen && nowMs - seen.atMs < repeatedExchangeMs && nowMs >= seen.atMs) {
      seen.skipped++;
      return null;
    }
    const skipped = seen?.skipped ?? 0;
    if (seen) {
      seen.atMs = nowMs;
      seen.skipped = 0;
    } else {
      if (!list) list = [];
      if (list.length >= repeatsPerClient) list.shift();
      list.push({ reply: replyName, form, ip, ipxe, arch: traits?.arch, vendorClass: traits?.vendorClass, atMs: nowMs, skipped: 0 });
    }
    // Most recently recorded last: the oldest clients are dropped first.
    this.byMac.delete(outcome.mac);
    if (this.byMac.size >= repeatsMaxClients) {
      let drop = repeatsMaxClients / 10;
      for (const k of this.byMac.keys()) { this.byMac.delete(k); if (--drop === 0) break; }
    }
    this.byMac.set(outcome.mac, list!);
    return skipped;
  }
}

/** A counter's label set, resolved once; the packet path only bumps `count`. */
interface CounterHandle {
  labels: Record<string, string>;
  count: number;
  reported: number;
}

/**
 * fleetboot_dhcp_packets_total by (type, result, reason), counted in handles found through
 * nested maps of constant strings (no label key built per packet), added to Metrics on a
 * timer: a scrape sees them at most metricsFlushMs late.
 */
class PacketCounters {
  private readonly handles = new Map<string, Map<string, Map<string, CounterHandle>>>();
  private readonly all: CounterHandle[] = [];

  handle(type: string, result: string, reason: string): CounterHandle {
    let byResult = this.handles.get(type);
    if (!byResult) this.handles.set(type, byResult = new Map());
    let byReason = byResult.get(result);
    if (!byReason) byResult.set(result, byReason = new Map());
    let h = byReason.get(reason);
    if (!h) {
      // Reasons are a closed set of policy words; decode reasons too. Bounded all the same.
      if (this.all.length > 5000) return this.handle('unknown', result, 'too-many-label-sets');
      h = { labels: { type, result, reason }, count: 0, reported: 0 };
      byReason.set(reason, h);
      this.all.push(h);
    }
    return h;
  }

  flush(metrics: Metrics): void {
    for (const h of this.all) {
      if (h.count === h.reported) continue;
      metrics.inc(packetsMetric, packetsHelp, h.labels, h.count - h.reported);
      h.reported = h.count;
    }
  }
}

export class DhcpServer {
  private waiting = 0;
  private readonly clientPort: number;
  private readonly serverPort: number;
  private readonly now: () => number;
  private readonly counters = new PacketCounters();
  private readonly acked: CounterHandle = { labels: {}, count: 0, reported: 0 };
  private readonly sampledEvents: CounterHandle = { labels: {}, count: 0, reported: 0 };
  private readonly repeats = new RepeatedExchanges();
  private readonly droppedEvents = new DroppedEventGate();
  private readonly flushTimer: NodeJS.Timeout;

  constructor(private readonly opts: DhcpServerOptions) {
    this.clientPort = opts.clientPort ?? defaultClientPort;
    this.serverPort = opts.serverPort ?? defaultServerPort;
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => this.flushMetrics(), opts.metricsFlushMs ?? 250);
    this.flushTimer.unref();
  }

  /** REQUESTs currently waiting for the lease store. */
  pending(): number {
    return this.waiting;
  }

  /** Moves the packet counters into Metrics now (the timer does it every metricsFlushMs). */
  flushMetrics(): void {
    this.counters.flush(this.opts.metrics);
    if (this.acked.count !== this.acked.reported) {
      this.opts.metrics.inc('fleetboot_dhcp_leases_acked_total', 'Addresses confirmed with an ACK', {}, this.acked.count - this.acked.reported);
      this.acked.reported = this.acked.count;
    }
    if (this.sampledEvents.count !== this.sampledEvents.reported) {
      this.opts.metrics.inc('fleetboot_dhcp_events_repeated_total', 'DHCP events not recorded because the same client repeated the same exchange within seconds', {}, this.sampledEvents.count - this.sampledEvents.reported);
      this.sampledEvents.reported = this.sampledEvents.count;
    }
  }

  close(): void {
    clearInterval(this.flushTimer);
    this.flushMetrics();
  }

  /**
   * Handles one datagram. Never throws and never rejects: a socket handler can't take bootd
   * down. Returns a promise only when the packet waits (a REQUEST whose lease is committed).
   */
  handleDatagram(bytes: Buffer, from: { address: string; port: number }): Promise<void> | undefined {
    const decoded = decodePacket(bytes);
    if (!decoded.ok) {
      this.counters.handle('unknown', 'dropped', decoded.reason).count++;
      this.recordDropped(decoded.reason, null, null, { from: from.address, bytes: bytes.length, stage: 'decode' });
      return undefined;
    }
    const request = decoded.packet;
    const type = getMessageType(request);
    const typeName = messageTypeName(type);
    if (this.opts.relayedOnly && request.giaddr === zeroAddress && request.ciaddr === zeroAddress) {
      this.counters.handle(typeName, 'ignored', 'off-boot-interface').count++;
      return undefined;
    }
    if (type === MessageType.Request && this.waiting >= (this.opts.maxWaiting ?? defaultMaxWaiting)) {
      this.counters.handle(typeName, 'dropped', 'overloaded').count++;
      this.recordDropped('overloaded', getClientMac(request), null, { type: typeName });
      return undefined;
    }
    let result: PolicyOutcome | Promise<PolicyOutcome>;
    try {
      result = this.opts.policy.handle(request);
    } catch (err) {
      this.policyFailed(request, typeName, err);
      return undefined;
    }
    if (!(result instanceof Promise)) {
      this.finish(request, typeName, result);
      return undefined;
    }
    this.waiting++;
    return result.then(
      (outcome) => { this.waiting--; this.finish(request, typeName, outcome); },
      (err) => { this.waiting--; this.policyFailed(request, typeName, err); },
    );
  }

  private policyFailed(request: DhcpPacket, typeName: string, err: unknown): void {
    this.counters.handle(typeName, 'dropped', 'policy-error').count++;
    this.opts.log.error('DHCP policy failed', { error: (err as Error).message, type: typeName });
    this.recordDropped('policy-error', getClientMac(request), null, { type: typeName });
  }

  private finish(request: DhcpPacket, typeName: string, outcome: PolicyOutcome): void {
    try {
      this.finishOrThrow(request, typeName, outcome);
    } catch (err) {
      // An event sink or transport bug must not escape into the socket handler either.
      this.policyFailed(request, typeName, err);
    }
  }

  private finishOrThrow(request: DhcpPacket, typeName: string, outcome: PolicyOutcome): void {
    const { events } = this.opts;
    if (outcome.result === 'ignored') {
      this.counters.handle(typeName, 'ignored', outcome.reason).count++;
      if (outcome.reason === 'pool-exhausted') {
        this.opts.metrics.inc('fleetboot_dhcp_pool_exhausted_total', 'DISCOVERs left unanswered because the pool was full', { network: String(outcome.detail.network ?? '') });
      }
      if (silentOutcomes.has(outcome.reason)) return;
      if (inboundOnlyOutcomes.has(outcome.reason)) {
        events.record({ source: 'dhcp', type: typeName, hostId: outcome.hostId, mac: outcome.mac, detail: outcome.detail });
        return;
      }
      this.recordDropped(outcome.reason, outcome.mac, outcome.hostId, { ...outcome.detail, type: typeName });
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodePacket(outcome.reply, { maxBytes: getMaxMessageBytes(request) });
    } catch (err) {
      this.counters.handle(typeName, 'dropped', 'reply-too-large').count++;
      this.opts.log.error('DHCP reply could not be encoded', { error: (err as Error).message });
      return;
    }
    if (outcome.replyType === MessageType.Nak && request.giaddr !== zeroAddress) {
      // RFC 2131 §4.3.2: a NAK through a relay carries the broadcast bit, so the relay broadcasts it.
      bytes.writeUInt16BE(request.flags | broadcastFlag, 10);
    }
    const to = replyDestination(request, outcome.replyType, { clientPort: this.clientPort, serverPort: this.serverPort });
    try {
      this.opts.transport.send(bytes, to.port, to.address);
    } catch (err) {
      this.counters.handle(typeName, 'dropped', 'send-failed').count++;
      this.opts.log.warn('DHCP reply not sent', { error: (err as Error).message, to: to.address });
      return;
    }
    const replyName = messageTypeName(outcome.replyType);
    this.counters.handle(typeName, 'replied', replyName).count++;
    if (outcome.replyType === MessageType.Ack && outcome.detail.ip) this.acked.count++;
    // Events per exchange: the DISCOVER (its traits start a boot session), then the OFFER, ACK
    // or NAK, whose detail also tells the REQUEST's form: a REQUEST that got an answer needs no
    // event of its own. The same exchange repeated by the same client within a few seconds
    // (a retransmission, a client looping) is counted, not recorded again.
    const repeats = this.repeats.check(outcome, replyName, this.now());
    if (repeats === null) {
      this.sampledEvents.count += outcome.inbound ? 2 : 1;
      return;
    }
    if (repeats > 0) outcome.detail.repeats = repeats;
    if (outcome.inbound) events.record({ source: 'dhcp', type: typeName, hostId: outcome.hostId, mac: outcome.mac, detail: outcome.inbound });
    outcome.detail.to = to.address;
    events.record({ source: 'dhcp', type: replyName, hostId: outcome.hostId, mac: outcome.mac, detail: outcome.detail });
  }

  /**
   * A "dropped" event says on the client's timeline why it got no answer: one per MAC and
   * reason per window, and a cap a second in all (events/dropped-event-gate.ts).
   */
  private recordDropped(reason: string, mac: string | null, hostId: string | null, detail: Record<string, unknown>): void {
    if (!this.droppedEvents.allow(reason, mac, this.now())) return;
    this.opts.events.record({ source: 'dhcp', type: 'dropped', hostId, mac, detail: { ...detail, reason } });
  }
}
