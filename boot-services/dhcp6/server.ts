// The DHCPv6 message loop: bytes in → decode → unwrap relays → policy → reply (wrapped back in
// Relay-repl for each relay, RFC 8415 §19.3) → out to where the datagram came from. Transport-
// agnostic (service.ts gives it UDP sockets, tests a fake); every datagram ends in exactly one
// counted result: replied, ignored or dropped.
import type { Logger } from '../bootd-context.ts';
import { DroppedEventGate } from '../events/dropped-event-gate.ts';
import type { EventSink } from '../events/event-sink.ts';
import type { Metrics } from '../metrics.ts';
import { decodeDhcp6, encodeDhcp6, getOption, type Dhcp6ClientMessage, type Dhcp6Message, type Dhcp6RelayMessage } from './codec.ts';
import { Dhcp6MessageType, Dhcp6Option, dhcp6MessageTypeName, hopCountLimit } from './options.ts';
import type { Dhcp6Outcome, Dhcp6Policy } from './policy.ts';

export interface Dhcp6Transport {
  send(bytes: Buffer, port: number, address: string): void;
}

export interface Dhcp6ServerOptions {
  policy: Pick<Dhcp6Policy, 'handle'>;
  transport: Dhcp6Transport;
  events: EventSink;
  metrics: Metrics;
  log: Logger;
  /**
   * Whether a datagram from a client on a link (not a relay) may be answered: its source is a
   * link-local address whose scope names the interface it came in on (Node gives "fe80::1%eth1"),
   * so bootd answers only its boot interfaces. Null: any link.
   */
  acceptsLink?: ((scope: string | null) => boolean) | null;
  now?: () => number;
}

const packetsMetric = 'fleetboot_dhcp6_packets_total';
const packetsHelp = 'DHCPv6 messages received, by message type and result';
/** Messages only servers or relays send: a client never sends these to us (RFC 8415 §16). */
const serverOnlyTypes = new Set<number>([Dhcp6MessageType.Advertise, Dhcp6MessageType.Reply, Dhcp6MessageType.Reconfigure, Dhcp6MessageType.RelayRepl]);
/** Outcomes whose inbound event says it all (the client gave its address back). */
const inboundOnlyForms = new Set(['release', 'decline']);
/** Another server's business: counted, never an event. */
const silentReasons = new Set(['other-server']);

/** The scope of a link-local source ("fe80::1%eth1" → "eth1"), null for a global one. */
export function sourceScope(address: string): string | null {
  const i = address.indexOf('%');
  return i === -1 ? null : address.slice(i + 1);
}

export class Dhcp6Server {
  private readonly now: () => number;
  private readonly droppedEvents = new DroppedEventGate();

  constructor(private readonly opts: Dhcp6ServerOptions) {
    this.now = opts.now ?? Date.now;
  }

  private count(type: string, result: string, reason: string): void {
    this.opts.metrics.inc(packetsMetric, packetsHelp, { type, result, reason });
  }

  /** Handles one datagram. Never throws, never rejects. Returns a promise only when the reply waits for a lease commit. */
  handleDatagram(bytes: Buffer, from: { address: string; port: number }): Promise<void> | undefined {
    const decoded = decodeDhcp6(bytes);
    if (!decoded.ok) {
      this.count('unknown', 'dropped', decoded.reason);
      this.recordDropped(decoded.reason, null, null, { from: from.address, bytes: bytes.length, stage: 'decode' });
      return undefined;
    }
    const relays: Dhcp6RelayMessage[] = [];
    let m: Dhcp6Message = decoded.message;
    while (m.kind === 'relay') {
      if (m.msgType !== Dhcp6MessageType.RelayForw) { this.count('relay-repl', 'dropped', 'not-for-a-server'); return undefined; }
      relays.push(m);
      m = m.inner;
    }
    const client: Dhcp6ClientMessage = m;
    const typeName = dhcp6MessageTypeName(client.msgType);
    if (serverOnlyTypes.has(client.msgType)) { this.count(typeName, 'dropped', 'not-for-a-server'); return undefined; }
    // RFC 8415 §19.1.1: a relay past HOP_COUNT_LIMIT would have dropped it; so do we.
    if (relays.length > 0 && relays[0]!.hopCount >= hopCountLimit) { this.count(typeName, 'dropped', 'hop-count-exceeded'); return undefined; }
    if (relays.length === 0 && this.opts.acceptsLink && !this.opts.acceptsLink(sourceScope(from.address))) {
      // Not from the boot link: another LAN of this machine, where bootd must stay silent.
      this.count(typeName, 'ignored', 'not-a-boot-interface');
      return undefined;
    }
    let result: Dhcp6Outcome | Promise<Dhcp6Outcome>;
    try {
      result = this.opts.policy.handle(client, { relays, link: relays.length === 0 ? sourceScope(from.address) : null });
    } catch (err) {
      this.policyFailed(typeName, err);
      return undefined;
    }
    if (!(result instanceof Promise)) {
      this.finish(client, relays, typeName, result, from);
      return undefined;
    }
    return result.then(
      (outcome) => this.finish(client, relays, typeName, outcome, from),
      (err) => this.policyFailed(typeName, err),
    );
  }

  private policyFailed(typeName: string, err: unknown): void {
    this.count(typeName, 'dropped', 'policy-error');
    this.opts.log.error('DHCPv6 policy failed', { error: (err as Error).message, type: typeName });
  }

  private finish(request: Dhcp6ClientMessage, relays: Dhcp6RelayMessage[], typeName: string, outcome: Dhcp6Outcome, from: { address: string; port: number }): void {
    try {
      this.finishOrThrow(request, relays, typeName, outcome, from);
    } catch (err) {
      this.policyFailed(typeName, err);
    }
  }

  private finishOrThrow(_request: Dhcp6ClientMessage, relays: Dhcp6RelayMessage[], typeName: string, outcome: Dhcp6Outcome, from: { address: string; port: number }): void {
    const { events } = this.opts;
    if (outcome.result === 'ignored') {
      this.count(typeName, 'ignored', outcome.reason);
      if (silentReasons.has(outcome.reason)) return;
      this.recordDropped(outcome.reason, outcome.mac, outcome.hostId, { ...outcome.detail, type: typeName });
      return;
    }
    // RFC 8415 §19.3: the reply goes back through each relay, innermost first, in a Relay-repl
    // carrying the Relay-forw's hop count, link and peer address and its Interface-Id (§21.18).
    let reply: Dhcp6Message = outcome.reply;
    for (let i = relays.length - 1; i >= 0; i--) {
      const forw = relays[i]!;
      const interfaceId = getOption(forw.options, Dhcp6Option.InterfaceId);
      reply = {
        kind: 'relay', msgType: Dhcp6MessageType.RelayRepl, hopCount: forw.hopCount, linkAddress: forw.linkAddress, peerAddress: forw.peerAddress,
        options: interfaceId ? [{ code: Dhcp6Option.InterfaceId, value: interfaceId }] : [], inner: reply,
      };
    }
    const bytes = encodeDhcp6(reply);
    // To the client (its link-local address with scope, port 546) or to the outermost relay (port 547), whichever sent it.
    try {
      this.opts.transport.send(bytes, from.port, from.address);
    } catch (err) {
      this.count(typeName, 'dropped', 'send-failed');
      this.opts.log.warn('DHCPv6 reply not sent', { error: (err as Error).message, to: from.address });
      return;
    }
    const replyName = dhcp6MessageTypeName(outcome.reply.msgType);
    this.count(typeName, 'replied', replyName);
    const form = outcome.detail.form as string | undefined;
    if (outcome.inbound || (form && inboundOnlyForms.has(form))) {
      events.record({ source: 'dhcp6', type: typeName, hostId: outcome.hostId, mac: outcome.mac, detail: outcome.inbound ?? outcome.detail });
      if (form && inboundOnlyForms.has(form)) return;
    }
    outcome.detail.to = from.address;
    events.record({ source: 'dhcp6', type: replyName, hostId: outcome.hostId, mac: outcome.mac, detail: outcome.detail });
  }

  /** A "dropped" event says on the client's timeline why it got no answer; bounded per client and per second. */
  private recordDropped(reason: string, mac: string | null, hostId: string | null, detail: Record<string, unknown>): void {
    if (!this.droppedEvents.allow(reason, mac, this.now())) return;
    this.opts.events.record({ source: 'dhcp6', type: 'dropped', hostId, mac, detail: { ...detail, reason } });
  }

}
