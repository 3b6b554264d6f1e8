// Who gets what over DHCPv6 (RFC 8415 §18.3 server behaviour): reads the BootView and the
// DHCPv6 lease store, never touches a socket. A known MAC (RFC 6939 option 79 from a relay, or
// the MAC inside a DUID-LL/LLT) gets its reserved IPv6 address, an unknown client a pool
// address when its network allows discovery; UEFI clients get a boot file URL (RFC 5970)
// chosen by their architecture (option 61). The only wait is the lease commit before a Reply.
import type { BootView, HostView, NetworkView, RoleView } from '../../lib/boot/boot-view.ts';
import { formatIPv6, ipv6PrefixContains, parseIPv6, parseIPv6Prefix, urlHost, type Ipv6Prefix } from '../../lib/ipv6.ts';
import type { Dhcp6LeaseStore } from '../store/dhcp6-leases.ts';
import {
  decodeIaNa, encodeIaNa, encodeStatus, encodeVendorClass, getClientArchTypes, getOption, getOptions, getRequestedOptions,
  getUserClasses, getVendorClass, parseClientLinkLayerAddress, parseDuid, type Dhcp6ClientMessage, type Dhcp6OptionValue,
  type Dhcp6RelayMessage, type Duid, type IaNa,
} from './codec.ts';
import { Dhcp6MessageType, Dhcp6Option, Dhcp6Status, dhcp6MessageTypeName } from './options.ts';

/** RFC 4578 §2.1 / RFC 5970 §3.3 architecture types bootd answers with a boot file. */
export enum Dhcp6ClientArch {
  X64Efi = 7,
  /** EFI byte code; x64 UEFI firmware sends it too. */
  EfiBc = 9,
  X64EfiHttp = 16,
}

/** What the server knows of where a message came from. */
export interface Dhcp6Arrival {
  /** The Relay-forw wrappers, outermost first (empty when the client is on our link). */
  relays: Dhcp6RelayMessage[];
  /** The boot interface a client on our own link came in on (its link-local source's scope); null when relayed or unknown. */
  link?: string | null;
}

export interface Dhcp6PolicyDeps {
  view: BootView;
  leases: Dhcp6LeaseStore;
  /** bootd's DUID (RFC 8415 §11), the same across restarts (service.ts keeps it in the state directory). */
  serverDuid: Buffer;
  /** The network of clients on this boot interface of bootd (no relay), or null when none has an IPv6 prefix. */
  directNetwork: (link: string | null) => NetworkView | null;
  /** bootd's IPv6 address for boot URLs when the network names none. */
  serverAddress6: string | null;
  httpPort: number;
  now?: () => number;
}

export type Dhcp6Outcome =
  | {
    result: 'replied'; reply: Dhcp6ClientMessage; mac: string | null; hostId: string | null; detail: Record<string, unknown>;
    /** Detail of the inbound message's own event (a Solicit: its traits start a boot session). */
    inbound?: Record<string, unknown>;
  }
  | { result: 'ignored'; reason: string; mac: string | null; hostId: string | null; detail: Record<string, unknown> };

/** RFC 8415 §18.3.1 leaves the hold of advertised addresses to the server: as long as the v4 offer hold. */
export const advertiseHoldSeconds = 60;
/** DESIGN.md: short leases in the PXE phase, so a boot storm doesn't tie up the pool. */
export const pxePhaseLeaseSeconds = 600;
/** Pool addresses tried per allocation: a /64 pool is never walked whole on the reply path. */
const maxPoolProbes = 4096;
/** RFC 8415 §21.8: preference 255 tells the client to request from us at once instead of waiting for other Advertises. */
const highestPreference = Buffer.from([255]);
const emptyValue = Buffer.alloc(0);

export interface Dhcp6ClientTraits {
  duid: Duid;
  mac: string | null;
  /** Where the MAC came from: the relay's option 79 (RFC 6939) or the DUID. */
  macFrom: 'link-layer-option' | 'duid' | null;
  arch: number | null;
  vendorClass: string | null;
  isIpxe: boolean;
  isHttpClient: boolean;
}

function readTraits(m: Dhcp6ClientMessage, arrival: Dhcp6Arrival, duid: Duid): Dhcp6ClientTraits {
  // RFC 6939 §4: the relay next to the client (the innermost Relay-forw) adds option 79.
  const innermost = arrival.relays[arrival.relays.length - 1];
  const relayMac = innermost ? parseClientLinkLayerAddress(getOption(innermost.options, Dhcp6Option.ClientLinkLayerAddress)) : null;
  const vendor = getVendorClass(m.options);
  const vendorClass = vendor?.classes[0] ?? null;
  return {
    duid,
    mac: relayMac ?? duid.mac,
    macFrom: relayMac ? 'link-layer-option' : duid.mac ? 'duid' : null,
    arch: getClientArchTypes(m.options)[0] ?? null,
    vendorClass,
    isIpxe: getUserClasses(m.options).includes('iPXE'),
    isHttpClient: vendorClass?.startsWith('HTTPClient') === true,
  };
}

function describeTraits(t: Dhcp6ClientTraits): Record<string, unknown> {
  return {
    duid: t.duid.hex, duidType: t.duid.type, macFrom: t.macFrom ?? undefined, arch: t.arch ?? undefined,
    vendorClass: t.vendorClass?.slice(0, 128).replace(/[\u0000-\u001f\u007f]/g, '?'), ipxe: t.isIpxe || undefined,
    // The timeline's session start reads a PXE client from vendorClass "PXEClient…" (boot-phase.ts); a UEFI PXEv6 client says so with option 61.
    pxe: t.arch !== null || undefined,
  };
}

/** A boot file as a URL (RFC 5970 §3.1): UEFI PXE gets GRUB over TFTP, UEFI HTTP boot over HTTP, iPXE its script. */
export function pickBootFileUrl(traits: Dhcp6ClientTraits, _role: RoleView | null, serverAddress: string | null, httpPort: number): string | null {
  if (!serverAddress) return null;
  const host = urlHost(serverAddress);
  if (traits.isIpxe && traits.mac) return `http://${host}:${httpPort}/boot/v1/ipxe/${traits.mac}`;
  switch (traits.arch) {
    // DESIGN.md "Facts found": OVMF's PXEv6 boots GRUB's network build from tftp://[addr]/grubx64.efi,
    // which reads grub/grub.cfg, the kernel and the initrd over TFTP/IPv6.
    case Dhcp6ClientArch.X64Efi:
    case Dhcp6ClientArch.EfiBc:
      return `tftp://${host}/grubx64.efi`;
    case Dhcp6ClientArch.X64EfiHttp:
      return `http://${host}:${httpPort}/grubx64.efi`;
    default:
      return null;
  }
}

interface Hold {
  duid: string;
  iaid: number;
  untilMs: number;
}

export class Dhcp6Policy {
  private readonly now: () => number;
  /** Addresses advertised and not yet requested: "<networkId> <address>" → who holds it, until when. */
  private readonly holds = new Map<string, Hold>();
  private readonly prefixes = new WeakMap<NetworkView, Ipv6Prefix | null>();

  constructor(private readonly deps: Dhcp6PolicyDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Answers from memory; a Request, Renew, Rebind or a rapid-commit Solicit waits for the lease commit. */
  handle(m: Dhcp6ClientMessage, arrival: Dhcp6Arrival): Dhcp6Outcome | Promise<Dhcp6Outcome> {
    const clientIdValue = getOption(m.options, Dhcp6Option.ClientId);
    const serverId = getOption(m.options, Dhcp6Option.ServerId);
    const duid = clientIdValue ? parseDuid(clientIdValue) : null;
    const type = m.msgType;
    // RFC 8415 §16: which messages must (not) carry a Client and Server Identifier; others are discarded.
    if (type === Dhcp6MessageType.InformationRequest) {
      if (serverId && !serverId.equals(this.deps.serverDuid)) return ignored('other-server', null);
      return this.onInformationRequest(m, arrival, duid);
    }
    if (!clientIdValue || !duid) return ignored('no-client-id', null);
    const traits = readTraits(m, arrival, duid);
    const mac = traits.mac;
    switch (type) {
      case Dhcp6MessageType.Solicit:
      case Dhcp6MessageType.Rebind:
      case Dhcp6MessageType.Confirm:
        if (serverId) return ignored('server-id-in-multicast-message', mac);
        break;
      case Dhcp6MessageType.Request:
      case Dhcp6MessageType.Renew:
      case Dhcp6MessageType.Release:
      case Dhcp6MessageType.Decline:
        if (!serverId) return ignored('no-server-id', mac);
        // The client chose another server (RFC 8415 §18.3.2): stay silent.
        if (!serverId.equals(this.deps.serverDuid)) return ignored('other-server', mac);
        break;
      default:
        return ignored(`unsupported-${dhcp6MessageTypeName(type)}`, mac);
    }
    const network = this.networkOf(arrival);
    const host = mac ? this.deps.view.findHostByMac(mac) : null;
    const hostId = host?.id ?? null;
    const base: Record<string, unknown> = { traits: describeTraits(traits), relay: arrival.relays.length > 0 ? arrival.relays[arrival.relays.length - 1]!.linkAddress : undefined };
    if (!network) return ignored('no-network', mac, hostId, base);
    if (host && !host.bootEnabled) return ignored('boot-disabled', mac, hostId, base);
    if (host && host.networkId !== null && host.networkId !== network.id) return ignored('host-on-other-network', mac, hostId, { ...base, network: network.name });
    if (!host && !network.discoveryEnabled) return ignored('discovery-disabled', mac, hostId, base);
    const ctx: ExchangeContext = { m, traits, network, host, base };
    switch (type) {
      case Dhcp6MessageType.Solicit: return this.onSolicit(ctx);
      case Dhcp6MessageType.Request: return this.onRequest(ctx, 'request');
      case Dhcp6MessageType.Renew: return this.onExtend(ctx, 'renew');
      case Dhcp6MessageType.Rebind: return this.onExtend(ctx, 'rebind');
      case Dhcp6MessageType.Release: return this.onReleaseOrDecline(ctx, 'released');
      case Dhcp6MessageType.Decline: return this.onReleaseOrDecline(ctx, 'declined');
      default: return this.onConfirm(ctx);
    }
  }

  /** RFC 8415 §13.1: the link-address of the relay next to the client; on our own link, the boot network. */
  private networkOf(arrival: Dhcp6Arrival): NetworkView | null {
    if (arrival.relays.length === 0) return this.deps.directNetwork(arrival.link ?? null);
    for (let i = arrival.relays.length - 1; i >= 0; i--) {
      const link = arrival.relays[i]!.linkAddress;
      const v = parseIPv6(link);
      // "::" or a link-local link-address names no link of ours: try the next relay out.
      if (v === null || v === 0n || v >> 118n === 0x3fan) continue;
      return this.deps.view.findNetworkContainingIPv6(link);
    }
    return null;
  }

  private prefixOf(network: NetworkView): Ipv6Prefix | null {
    let p = this.prefixes.get(network);
    if (p === undefined) this.prefixes.set(network, p = network.ipv6Prefix ? parseIPv6Prefix(network.ipv6Prefix) : null);
    return p;
  }

  private onLink(network: NetworkView, address: string): boolean {
    const prefix = this.prefixOf(network);
    const v = parseIPv6(address);
    return prefix !== null && v !== null && ipv6PrefixContains(prefix, v);
  }

  private leaseSecondsFor(ctx: ExchangeContext): number {
    if (ctx.host?.ipv6 || ctx.traits.arch === null) return ctx.network.leaseSeconds;
    return Math.min(ctx.network.leaseSeconds, pxePhaseLeaseSeconds);
  }

  /** The address for one IA: the host's reservation, the client's lease, its advertised hold, or a free pool address. */
  private addressFor(ctx: ExchangeContext, iaid: number, taken: Set<string>): string | null {
    const { network, host, traits } = ctx;
    if (host?.ipv6 && !taken.has(host.ipv6) && this.onLink(network, host.ipv6)) return host.ipv6;
    if (host?.ipv6) return null; // a reserved host gets its address in one IA, no pool addresses besides
    const nowMs = this.now();
    const lease = this.deps.leases.findLease(network.id, traits.duid.hex, iaid);
    if (lease && lease.state !== 'declined' && !taken.has(lease.address) && this.isPoolAddress(network, lease.address)) return lease.address;
    for (const [key, hold] of this.holds) {
      if (hold.duid === traits.duid.hex && hold.iaid === iaid && hold.untilMs > nowMs && key.startsWith(`${network.id} `)) {
        const address = key.slice(network.id.length + 1);
        if (!taken.has(address)) return address;
      }
    }
    const start = network.ipv6PoolStart ? parseIPv6(network.ipv6PoolStart) : null;
    const end = network.ipv6PoolEnd ? parseIPv6(network.ipv6PoolEnd) : null;
    if (start === null || end === null) return null;
    let probes = 0;
    for (let v = start; v <= end && probes < maxPoolProbes; v++, probes++) {
      const address = formatIPv6(v);
      if (taken.has(address) || !this.isFree(network, address, traits.duid.hex, iaid, nowMs)) continue;
      return address;
    }
    return null;
  }

  private isPoolAddress(network: NetworkView, address: string): boolean {
    const start = network.ipv6PoolStart ? parseIPv6(network.ipv6PoolStart) : null;
    const end = network.ipv6PoolEnd ? parseIPv6(network.ipv6PoolEnd) : null;
    const v = parseIPv6(address);
    return start !== null && end !== null && v !== null && v >= start && v <= end;
  }

  /** Not reserved, not bootd's, not leased or held by another client. */
  private isFree(network: NetworkView, address: string, duid: string, iaid: number, nowMs: number): boolean {
    if (this.deps.view.findHostByIpv6(address)) return false;
    if (address === network.ipv6BootServer || address === this.deps.serverAddress6) return false;
    const lease = this.deps.leases.findLeaseByAddress(network.id, address);
    if (lease && !(lease.duid === duid && lease.iaid === iaid)) {
      const stillHeld = lease.state === 'bound' || lease.state === 'declined' ? lease.expiresAtMs > nowMs : false;
      if (stillHeld) return false;
    }
    const hold = this.holds.get(`${network.id} ${address}`);
    return !hold || hold.untilMs <= nowMs || (hold.duid === duid && hold.iaid === iaid);
  }

  private hold(network: NetworkView, address: string, duid: string, iaid: number): void {
    const nowMs = this.now();
    if (this.holds.size > 50_000) for (const [k, h] of this.holds) if (h.untilMs <= nowMs) this.holds.delete(k);
    this.holds.set(`${network.id} ${address}`, { duid, iaid, untilMs: nowMs + advertiseHoldSeconds * 1000 });
  }

  private iasOf(m: Dhcp6ClientMessage): IaNa[] | null {
    const ias: IaNa[] = [];
    for (const v of getOptions(m.options, Dhcp6Option.IaNa)) {
      const ia = decodeIaNa(v);
      if (!ia) return null;
      ias.push(ia);
    }
    return ias;
  }

  /** RFC 8415 §18.3.1: Advertise what a Request would get; with Rapid Commit (§21.14) bind at once and Reply. */
  private onSolicit(ctx: ExchangeContext): Dhcp6Outcome | Promise<Dhcp6Outcome> {
    const rapid = getOption(ctx.m.options, Dhcp6Option.RapidCommit) !== null;
    if (rapid) return this.onRequest(ctx, 'rapid-commit');
    const ias = this.iasOf(ctx.m);
    if (!ias) return ignored('bad-ia-na', ctx.traits.mac, ctx.host?.id ?? null, ctx.base);
    const taken = new Set<string>();
    const leaseSeconds = this.leaseSecondsFor(ctx);
    const out: Dhcp6OptionValue[] = [];
    const addresses: string[] = [];
    for (const ia of ias) {
      const address = this.addressFor(ctx, ia.iaid, taken);
      if (!address) { out.push(noAddressIa(ia)); continue; }
      taken.add(address);
      addresses.push(address);
      if (!ctx.host?.ipv6) this.hold(ctx.network, address, ctx.traits.duid.hex, ia.iaid);
      out.push(addressIa(ia, address, leaseSeconds));
    }
    // RFC 8415 §18.3.1: with no address for any IA the Advertise still goes out, with NoAddrsAvail at the top.
    const noAddress = ias.length > 0 && addresses.length === 0;
    const reply = this.replyTo(ctx, Dhcp6MessageType.Advertise, out);
    if (noAddress) reply.options.push({ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.NoAddrsAvail, 'no address for this client') });
    reply.options.push({ code: Dhcp6Option.Preference, value: highestPreference });
    return this.replied(ctx, reply, { ip: addresses[0], addresses, leaseSeconds, form: 'solicit' }, true);
  }

  /** RFC 8415 §18.3.2 (and a rapid-commit Solicit): bind every IA, commit, Reply. */
  private onRequest(ctx: ExchangeContext, form: 'request' | 'rapid-commit'): Dhcp6Outcome | Promise<Dhcp6Outcome> {
    const ias = this.iasOf(ctx.m);
    if (!ias) return ignored('bad-ia-na', ctx.traits.mac, ctx.host?.id ?? null, ctx.base);
    const taken = new Set<string>();
    const picks = ias.map((ia) => {
      const address = this.addressFor(ctx, ia.iaid, taken);
      if (address) taken.add(address);
      return { ia, address };
    });
    return this.bindAll(ctx, picks, form, Dhcp6MessageType.Reply);
  }

  /** RFC 8415 §18.3.4 Renew / §18.3.5 Rebind: extend the client's bindings; an IA we have no record of gets NoBinding. */
  private onExtend(ctx: ExchangeContext, form: 'renew' | 'rebind'): Dhcp6Outcome | Promise<Dhcp6Outcome> {
    const ias = this.iasOf(ctx.m);
    if (!ias) return ignored('bad-ia-na', ctx.traits.mac, ctx.host?.id ?? null, ctx.base);
    const picks = ias.map((ia) => {
      const claimed = ia.addresses.map((a) => a.address);
      const reserved = ctx.host?.ipv6 && this.onLink(ctx.network, ctx.host.ipv6) ? ctx.host.ipv6 : null;
      const lease = this.deps.leases.findLease(ctx.network.id, ctx.traits.duid.hex, ia.iaid);
      const current = reserved ?? (lease && lease.state === 'bound' && this.isPoolAddress(ctx.network, lease.address) ? lease.address : null);
      return { ia, address: current, claimed };
    });
    // RFC 8415 §18.3.5: a Rebind for addresses not on this link (the client moved) gets them with lifetimes 0.
    if (form === 'rebind' && picks.every((p) => p.address === null) && picks.some((p) => p.claimed.some((a) => !this.onLink(ctx.network, a)))) {
      const out = picks.map((p) => encodedIa({ ...p.ia, t1Seconds: 0, t2Seconds: 0, options: [], addresses: p.claimed.map((a) => ({ address: a, preferredSeconds: 0, validSeconds: 0, options: [] })) }));
      return this.replied(ctx, this.replyTo(ctx, Dhcp6MessageType.Reply, out), { form, reason: 'not-on-link' });
    }
    return this.bindAll(ctx, picks, form, Dhcp6MessageType.Reply);
  }

  private bindAll(ctx: ExchangeContext, picks: Array<{ ia: IaNa; address: string | null; claimed?: string[] }>, form: string, replyType: Dhcp6MessageType): Promise<Dhcp6Outcome> {
    const leaseSeconds = this.leaseSecondsFor(ctx);
    const nowMs = this.now();
    const reserved = ctx.host?.ipv6 ?? null;
    const writes = picks.map(async (p) => {
      if (!p.address) return { ...p, status: 'none' as const };
      // A reservation lives in the host table: nothing to write (the v4 reservations work the same way).
      if (p.address === reserved) return { ...p, status: 'bound' as const };
      const r = await this.deps.leases.bind({ networkId: ctx.network.id, address: p.address, duid: ctx.traits.duid.hex, iaid: p.ia.iaid, mac: ctx.traits.mac, expiresAtMs: nowMs + leaseSeconds * 1000 });
      if (r.kind === 'bound') this.holds.delete(`${ctx.network.id} ${p.address}`);
      return { ...p, status: r.kind };
    });
    return Promise.all(writes).then((results) => {
      if (results.some((r) => r.status === 'unavailable')) return ignored('lease-store-unavailable', ctx.traits.mac, ctx.host?.id ?? null, { ...ctx.base, form });
      const out: Dhcp6OptionValue[] = [];
      const addresses: string[] = [];
      for (const r of results) {
        if (r.status === 'bound' && r.address) {
          addresses.push(r.address);
          // Addresses the client still lists but no longer has from us go back with lifetime 0 (RFC 8415 §18.3.4).
          const stale = (r.claimed ?? []).filter((a) => a !== r.address).map((a) => ({ address: a, preferredSeconds: 0, validSeconds: 0, options: [] }));
          out.push(encodedIa({ iaid: r.ia.iaid, ...times(leaseSeconds), options: [], addresses: [{ address: r.address, preferredSeconds: leaseSeconds, validSeconds: leaseSeconds, options: [] }, ...stale] }));
        } else if (form === 'renew' || form === 'rebind') {
          out.push(encodedIa({ iaid: r.ia.iaid, t1Seconds: 0, t2Seconds: 0, addresses: [], options: [{ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.NoBinding, 'no binding for this IA') }] }));
        } else {
          out.push(noAddressIa(r.ia));
        }
      }
      const reply = this.replyTo(ctx, replyType, out);
      if (form === 'rapid-commit') reply.options.push({ code: Dhcp6Option.RapidCommit, value: emptyValue });
      return this.replied(ctx, reply, { ip: addresses[0], addresses, leaseSeconds, form }, form === 'rapid-commit');
    });
  }

  /** RFC 8415 §18.3.7 Release / §18.3.8 Decline: mark the bindings, Reply with Success (NoBinding for IAs we don't know). */
  private onReleaseOrDecline(ctx: ExchangeContext, state: 'released' | 'declined'): Dhcp6Outcome {
    const ias = this.iasOf(ctx.m);
    if (!ias) return ignored('bad-ia-na', ctx.traits.mac, ctx.host?.id ?? null, ctx.base);
    const out: Dhcp6OptionValue[] = [];
    const addresses: string[] = [];
    for (const ia of ias) {
      const lease = this.deps.leases.findLease(ctx.network.id, ctx.traits.duid.hex, ia.iaid);
      const listed = ia.addresses.map((a) => a.address);
      if (lease && listed.includes(lease.address)) {
        this.deps.leases.markLease(ctx.network.id, ctx.traits.duid.hex, ia.iaid, lease.address, state, this.now());
        addresses.push(lease.address);
      } else if (!(ctx.host?.ipv6 && listed.includes(ctx.host.ipv6))) {
        out.push(encodedIa({ iaid: ia.iaid, t1Seconds: 0, t2Seconds: 0, addresses: [], options: [{ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.NoBinding, 'no binding for this IA') }] }));
      }
    }
    const reply = this.replyTo(ctx, Dhcp6MessageType.Reply, out, false);
    reply.options.push({ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.Success, state === 'released' ? 'released' : 'declined') });
    return this.replied(ctx, reply, { ip: addresses[0], addresses, form: state === 'released' ? 'release' : 'decline' });
  }

  /** RFC 8415 §18.3.3: are the client's addresses on this link? No addresses: no reply. */
  private onConfirm(ctx: ExchangeContext): Dhcp6Outcome {
    const ias = this.iasOf(ctx.m);
    const addresses = (ias ?? []).flatMap((ia) => ia.addresses.map((a) => a.address));
    if (addresses.length === 0) return ignored('confirm-without-addresses', ctx.traits.mac, ctx.host?.id ?? null, ctx.base);
    const onLink = addresses.every((a) => this.onLink(ctx.network, a));
    const reply = this.replyTo(ctx, Dhcp6MessageType.Reply, [], false);
    reply.options.push({ code: Dhcp6Option.StatusCode, value: onLink ? encodeStatus(Dhcp6Status.Success, 'on link') : encodeStatus(Dhcp6Status.NotOnLink, 'not on this link') });
    return this.replied(ctx, reply, { addresses, form: 'confirm', onLink });
  }

  /** RFC 8415 §18.3.6: configuration only (a client with its address from elsewhere, or UEFI asking for its boot file). */
  private onInformationRequest(m: Dhcp6ClientMessage, arrival: Dhcp6Arrival, duid: Duid | null): Dhcp6Outcome {
    const network = this.networkOf(arrival);
    const traits = duid ? readTraits(m, arrival, duid) : null;
    const mac = traits?.mac ?? null;
    const host = mac ? this.deps.view.findHostByMac(mac) : null;
    if (!network) return ignored('no-network', mac, host?.id ?? null, {});
    const ctx: ExchangeContext = { m, traits: traits ?? { duid: { type: 0, mac: null, hex: '' }, mac: null, macFrom: null, arch: null, vendorClass: null, isIpxe: false, isHttpClient: false }, network, host, base: {} };
    const reply = this.replyTo(ctx, Dhcp6MessageType.Reply, [], false);
    if (!duid) reply.options = reply.options.filter((o) => o.code !== Dhcp6Option.ClientId);
    return this.replied(ctx, reply, { form: 'information-request' });
  }

  /** Server and client id, the IAs, then the configuration the client asked for (ORO) and the boot file. */
  private replyTo(ctx: ExchangeContext, type: Dhcp6MessageType, ias: Dhcp6OptionValue[], withBoot = true): Dhcp6ClientMessage {
    const options: Dhcp6OptionValue[] = [
      { code: Dhcp6Option.ServerId, value: this.deps.serverDuid },
    ];
    const clientId = getOption(ctx.m.options, Dhcp6Option.ClientId);
    if (clientId) options.push({ code: Dhcp6Option.ClientId, value: clientId });
    options.push(...ias);
    const asked = getRequestedOptions(ctx.m.options);
    if (ctx.network.domain && asked.includes(Dhcp6Option.DomainList)) options.push({ code: Dhcp6Option.DomainList, value: dnsName(ctx.network.domain) });
    if (withBoot || ctx.m.msgType === Dhcp6MessageType.InformationRequest) {
      const role = ctx.host?.roleId ? this.deps.view.findRoleById(ctx.host.roleId) : null;
      const url = pickBootFileUrl(ctx.traits, role, ctx.network.ipv6BootServer ?? this.deps.serverAddress6, this.deps.httpPort);
      // RFC 5970 §3.1: sent to clients that ask for it (ORO), and to UEFI firmware that says what it is (option 61).
      if (url && (asked.includes(Dhcp6Option.BootfileUrl) || ctx.traits.arch !== null || ctx.traits.isIpxe)) {
        options.push({ code: Dhcp6Option.BootfileUrl, value: Buffer.from(url, 'latin1') });
        ctx.bootFile = url;
      }
    }
    // UEFI HTTP boot (UEFI 2.x §24.7): the server answers an HTTPClient with vendor class "HTTPClient".
    if (ctx.traits.isHttpClient) {
      const vendor = getVendorClass(ctx.m.options);
      options.push({ code: Dhcp6Option.VendorClass, value: encodeVendorClass({ enterprise: vendor?.enterprise ?? 343, classes: ['HTTPClient'] }) });
    }
    return { kind: 'client', msgType: type, transactionId: ctx.m.transactionId, options };
  }

  private replied(ctx: ExchangeContext, reply: Dhcp6ClientMessage, detail: Record<string, unknown>, withInbound = false): Dhcp6Outcome {
    detail.network = ctx.network.name;
    if (ctx.bootFile) detail.bootFile = ctx.bootFile;
    const outcome: Dhcp6Outcome = { result: 'replied', reply, mac: ctx.traits.mac, hostId: ctx.host?.id ?? null, detail };
    if (withInbound) outcome.inbound = ctx.base;
    return outcome;
  }
}

interface ExchangeContext {
  m: Dhcp6ClientMessage;
  traits: Dhcp6ClientTraits;
  network: NetworkView;
  host: HostView | null;
  base: Record<string, unknown>;
  bootFile?: string;
}

/** RFC 8415 §21.4: T1 0.5 and T2 0.8 of the lease. */
function times(leaseSeconds: number): { t1Seconds: number; t2Seconds: number } {
  return { t1Seconds: Math.floor(leaseSeconds * 0.5), t2Seconds: Math.floor(leaseSeconds * 0.8) };
}

function encodedIa(ia: IaNa): Dhcp6OptionValue {
  return { code: Dhcp6Option.IaNa, value: encodeIaNa(ia) };
}

function addressIa(ia: IaNa, address: string, leaseSeconds: number): Dhcp6OptionValue {
  return encodedIa({ iaid: ia.iaid, ...times(leaseSeconds), options: [], addresses: [{ address, preferredSeconds: leaseSeconds, validSeconds: leaseSeconds, options: [] }] });
}

/** RFC 8415 §21.13: an IA we have no address for carries NoAddrsAvail inside it. */
function noAddressIa(ia: IaNa): Dhcp6OptionValue {
  return encodedIa({ iaid: ia.iaid, t1Seconds: 0, t2Seconds: 0, addresses: [], options: [{ code: Dhcp6Option.StatusCode, value: encodeStatus(Dhcp6Status.NoAddrsAvail, 'no address for this client') }] });
}

/** RFC 1035 §3.1 wire form of one domain name (RFC 3646 §4 domain search list). */
function dnsName(domain: string): Buffer {
  const labels = domain.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([Math.min(l.length, 63)]), Buffer.from(l.slice(0, 63), 'latin1')]));
  return Buffer.concat([...labels, Buffer.from([0])]);
}

function ignored(reason: string, mac: string | null, hostId: string | null = null, detail: Record<string, unknown> = {}): Dhcp6Outcome {
  return { result: 'ignored', reason, mac, hostId, detail };
}
