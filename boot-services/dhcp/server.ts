// The DHCP packet loop: bytes in → decode → policy → reply out, with RFC 2131 §4.1 reply
// addressing. Transport-agnostic (service.ts gives it real UDP sockets, tests give it a
// fake); every datagram ends in exactly one counted result: replied, ignored or dropped.
import type { Logger } from '../bootd-context.ts';
import type { EventSink } from '../events/event-sink.ts';
import type { Metrics } from '../metrics.ts';
import { decodePacket, encodePacket, getClientMac, getMaxMessageBytes, getMessageType, type DhcpPacket } from './codec.ts';
import { broadcastFlag, clientPort as defaultClientPort, messageTypeName, MessageType, serverPort as defaultServerPort } from './options.ts';
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
  policy: DhcpPolicy;
  transport: DhcpTransport;
  events: EventSink;
  metrics: Metrics;
  log: Logger;
  clientPort?: number;
  serverPort?: number;
  /** Requests waiting on the lease store at once; beyond it new packets are dropped, not queued without end. */
  maxInFlight?: number;
  now?: () => number;
}

const packetsMetric = 'fleetboot_dhcp_packets_total';
const packetsHelp = 'DHCP packets received, by message type and result';
/** Ignored outcomes that are a normal end of the exchange: the inbound event already tells it. */
const quietOutcomes = new Set(['released', 'declined']);
/** At most this many "dropped" events per reason per second: a flood must not flood the timeline. */
const droppedEventsPerReasonPerSecond = 5;

export class DhcpServer {
  private inFlight = 0;
  private readonly clientPort: number;
  private readonly serverPort: number;
  private readonly now: () => number;
  private readonly droppedEventBudget = new Map<string, { second: number; count: number }>();

  constructor(private readonly opts: DhcpServerOptions) {
    this.clientPort = opts.clientPort ?? defaultClientPort;
    this.serverPort = opts.serverPort ?? defaultServerPort;
    this.now = opts.now ?? Date.now;
  }

  /** Requests currently waiting for the lease store. */
  pending(): number {
    return this.inFlight;
  }

  /** Handles one datagram. Never throws and never rejects: a socket handler can't take bootd down. */
  async handleDatagram(bytes: Buffer, from: { address: string; port: number }): Promise<void> {
    const decoded = decodePacket(bytes);
    if (!decoded.ok) {
      this.count('unknown', 'dropped', decoded.reason);
      this.recordDropped(decoded.reason, null, null, { from: from.address, bytes: bytes.length, stage: 'decode' });
      return;
    }
    const request = decoded.packet;
    const typeName = messageTypeName(getMessageType(request));
    if (this.inFlight >= (this.opts.maxInFlight ?? 4096)) {
      this.count(typeName, 'dropped', 'overloaded');
      this.recordDropped('overloaded', getClientMac(request), null, { type: typeName });
      return;
    }
    this.inFlight++;
    let outcome: PolicyOutcome;
    try {
      outcome = await this.opts.policy.handle(request);
    } catch (err) {
      this.count(typeName, 'dropped', 'policy-error');
      this.opts.log.error('DHCP policy failed', { error: (err as Error).message, type: typeName });
      this.recordDropped('policy-error', getClientMac(request), null, { type: typeName });
      return;
    } finally {
      this.inFlight--;
    }
    this.finish(request, typeName, outcome);
  }

  private finish(request: DhcpPacket, typeName: string, outcome: PolicyOutcome): void {
    const { events } = this.opts;
    const inboundDetail: Record<string, unknown> = { ...outcome.detail };
    if (outcome.result === 'ignored') inboundDetail.outcome = outcome.reason;
    events.record({ source: 'dhcp', type: typeName, hostId: outcome.hostId, mac: outcome.mac, detail: inboundDetail });
    if (outcome.result === 'ignored') {
      this.count(typeName, 'ignored', outcome.reason);
      if (outcome.reason === 'pool-exhausted') {
        this.opts.metrics.inc('fleetboot_dhcp_pool_exhausted_total', 'DISCOVERs left unanswered because the pool was full', { network: String(outcome.detail.network ?? '') });
      }
      if (!quietOutcomes.has(outcome.reason)) this.recordDropped(outcome.reason, outcome.mac, outcome.hostId, { type: typeName });
      return;
    }
    const replyName = messageTypeName(outcome.replyType);
    let bytes: Buffer;
    try {
      bytes = encodePacket(outcome.reply, { maxBytes: getMaxMessageBytes(request) });
    } catch (err) {
      this.count(typeName, 'dropped', 'reply-too-large');
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
      this.count(typeName, 'dropped', 'send-failed');
      this.opts.log.warn('DHCP reply not sent', { error: (err as Error).message, to: to.address });
      return;
    }
    this.count(typeName, 'replied', replyName);
    if (outcome.replyType === MessageType.Ack && outcome.detail.ip) {
      this.opts.metrics.inc('fleetboot_dhcp_leases_acked_total', 'Addresses confirmed with an ACK', {});
    }
    events.record({ source: 'dhcp', type: replyName, hostId: outcome.hostId, mac: outcome.mac, detail: { ...outcome.detail, to: to.address } });
  }

  private count(type: string, result: 'replied' | 'ignored' | 'dropped', reason: string): void {
    this.opts.metrics.inc(packetsMetric, packetsHelp, { type, result, reason });
  }

  private recordDropped(reason: string, mac: string | null, hostId: string | null, detail: Record<string, unknown>): void {
    const second = Math.floor(this.now() / 1000);
    const budget = this.droppedEventBudget.get(reason);
    if (budget && budget.second === second) {
      if (budget.count >= droppedEventsPerReasonPerSecond) return;
      budget.count++;
    } else {
      if (this.droppedEventBudget.size > 1000) this.droppedEventBudget.clear();
      this.droppedEventBudget.set(reason, { second, count: 1 });
    }
    this.opts.events.record({ source: 'dhcp', type: 'dropped', hostId, mac, detail: { ...detail, reason } });
  }
}
