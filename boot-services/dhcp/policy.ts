// Who gets what (RFC 2131 §4.3 server behaviour, DESIGN.md "Decisions taken"): reads the
// BootView and the lease book, never touches a socket. A known MAC gets its reservation,
// an unknown one a pool lease when its network allows discovery; PXE clients get the boot
// file for their architecture, iPXE gets its script URL. The only wait is the durable pool
// lease before an ACK.
import type { BootView, HostView, NetworkView, UefiBootChain } from '../../lib/boot/boot-view.ts';
import { standardSyslogPort, type BootdConfig, type LogServer } from '../bootd-context.ts';
import { cidrContains, formatIPv4, parseCidr } from '../../lib/ipv4.ts';
import {
  getClientArchitectures, getClientMac, getClientMachineId, getIpOption, getMessageType,
  getStringOption, getUserClasses, ipToBuffer, parseIp, type DhcpPacket,
} from './codec.ts';
import { isInPool, type LeaseStore } from './lease-store.ts';
import { wholePoolScope, type PoolClientScope } from './load-balance.ts';
import { addressForHost, pickBootFile } from '../../lib/boot/dhcp-boot-file.ts';
import { BootpOp, ClientArch, DhcpOption, MessageType, hardwareTypeEthernet, messageTypeName } from '../../lib/dhcp/options.ts';

/** Where an unknown machine seen by DHCP is reported (discovery-writer.ts: the console's discovery list). */
export interface UnknownMachineSink {
  noteUnknownMachine(mac: string, networkId: string, ip: string | null): void;
}

export interface DhcpPolicyDeps {
  view: BootView;
  leases: LeaseStore;
  config: Pick<BootdConfig, 'serverAddress' | 'httpBaseUrl'>;
  /** RFC 3074 split with a peer bootd (peer-heartbeat.ts); alone, every pool client is ours. */
  scope?: PoolClientScope;
  discovery?: UnknownMachineSink;
  /** bootd's syslog receiver (BootdContext.logServer): sent as option 7 to clients that ask. */
  logServer?: () => LogServer | null;
  /**
   * The UEFI chain of a machine with no role (unknown, or a host without one). DHCP can't tell
   * whether a firmware has Secure Boot on; shim → GRUB boots with it on or off, iPXE only off.
   * The DHCP service picks `secure_boot` when shim and GRUB are installed (defaultUefiChain).
   */
  uefiChainWithoutRole?: UefiBootChain;
  now?: () => number;
}

/** What to do with one request; every packet ends in exactly one of these (STYLE.md). */
export type PolicyOutcome =
  | {
    result: 'replied'; reply: DhcpPacket; replyType: MessageType; mac: string | null; hostId: string | null; detail: Record<string, unknown>;
    /** Detail of the inbound packet's own event, when it gets one (a DISCOVER: its traits start a boot session). */
    inbound?: Record<string, unknown>;
  }
  | { result: 'ignored'; reason: string; mac: string | null; hostId: string | null; detail: Record<string, unknown> };

/** Why a pool client got no OFFER, as counted and shown on its timeline. */
const poolRefusalReason = { exhausted: 'pool-exhausted', 'no-pool': 'no-pool', unavailable: 'leases-unavailable' } as const;

/** An address's hold while the client decides between offers (RFC 2131 §4.3.1 "SHOULD reserve"). */
export const offerHoldSeconds = 60;
/** DESIGN.md: short leases in the PXE phase, so a boot storm doesn't tie up the pool. */
export const pxePhaseLeaseSeconds = 600;

const zeroAddress = '0.0.0.0';

/** What the client is, read from its options: drives boot file choice and the events. */
export interface ClientTraits {
  mac: string | null;
  arch: ClientArch | null;
  vendorClass: string | null;
  isPxe: boolean;
  isIpxe: boolean;
  machineId: string | null;
  clientId: string | null;
  hostname: string | null;
}

export function readClientTraits(p: DhcpPacket): ClientTraits {
  const vendorClass = getStringOption(p, DhcpOption.VendorClassIdentifier);
  const arch = getClientArchitectures(p)[0] ?? null;
  return {
    mac: getClientMac(p),
    arch,
    vendorClass,
    isPxe: vendorClass?.startsWith('PXEClient') === true || vendorClass?.startsWith(httpClientVendorClass) === true || arch !== null,
    // iPXE announces itself with user class "iPXE" and its own encapsulated options (175).
    isIpxe: getUserClasses(p).includes('iPXE') || p.options.has(DhcpOption.IpxeEncapsulated),
    machineId: getClientMachineId(p),
    clientId: p.options.get(DhcpOption.ClientIdentifier)?.toString('hex') ?? null,
    hostname: getStringOption(p, DhcpOption.HostName),
  };
}

/**
 * UEFI spec 2.10 §24.7.2 (HTTP boot): the client's vendor class starts "HTTPClient" and the
 * server's offer must carry "HTTPClient" in option 60, else the firmware discards it.
 */
export const httpClientVendorClass = 'HTTPClient';

interface Assignment {
  network: NetworkView;
  host: HostView | null;
  ip: string;
  leaseSeconds: number;
}

export class DhcpPolicy {
  private readonly now: () => number;
  private readonly scope: PoolClientScope;
  private readonly serverIdentifier: Buffer;
  private readonly assignable = new WeakMap<NetworkView, (ip: string) => boolean>();

  constructor(private readonly deps: DhcpPolicyDeps) {
    this.now = deps.now ?? Date.now;
    this.scope = deps.scope ?? wholePoolScope;
    this.serverIdentifier = ipToBuffer(deps.config.serverAddress);
  }

  /** Answers from memory; only a REQUEST that binds a pool lease returns a promise (the commit before the ACK). */
  handle(request: DhcpPacket): PolicyOutcome | Promise<PolicyOutcome> {
    const mac = getClientMac(request);
    // Replies from other servers reach port 67 only by mistake (or a relay loop).
    if (request.op !== BootpOp.Request) return ignored('not-a-request', mac);
    const type = getMessageType(request);
    if (type === null) return ignored('bootp-not-supported', mac);
    if (request.htype !== hardwareTypeEthernet || !mac) return ignored('not-ethernet', mac);
    switch (type) {
      case MessageType.Discover: return this.onDiscover(request, mac);
      case MessageType.Request: return this.onRequest(request, mac);
      case MessageType.Decline: return this.onDecline(request, mac);
      case MessageType.Release: return this.onRelease(request, mac);
      case MessageType.Inform: return this.onInform(request, mac);
      default: return ignored(`unsupported-${messageTypeName(type)}`, mac);
    }
  }

  /** RFC 2131 §4.3.1: the network is the relay's (giaddr) or, for direct traffic, the receiving interface's. */
  private networkOf(request: DhcpPacket): NetworkView | null {
    const { view, config } = this.deps;
    if (request.giaddr !== zeroAddress) return view.findNetworkForRelay(request.giaddr);
    // A RENEWING client unicasts from its own address, possibly through routers (§4.4.5).
    if (request.ciaddr !== zeroAddress) return view.findNetworkContaining(request.ciaddr) ?? view.findNetworkContaining(config.serverAddress);
    return view.findNetworkContaining(config.serverAddress);
  }

  private isOurServerId(request: DhcpPacket): boolean | null {
    const id = getIpOption(request, DhcpOption.ServerIdentifier);
    return id === null ? null : id === this.deps.config.serverAddress;
  }

  /** An address the pool may hand out: not reserved for a host, not the router or a server. */
  private isAssignable(network: NetworkView, ip: string): boolean {
    if (this.deps.view.findHostByIp(ip)) return false;
    return ip !== network.gateway && ip !== network.bootServer && ip !== this.deps.config.serverAddress;
  }

  /** isAssignable for one network, made once per (immutable) network record: the pool scan calls it per address. */
  private assignableIn(network: NetworkView): (ip: string) => boolean {
    let f = this.assignable.get(network);
    if (!f) this.assignable.set(network, f = (ip) => this.isAssignable(network, ip));
    return f;
  }

  private leaseSecondsFor(network: NetworkView, traits: ClientTraits, reserved: boolean): number {
    if (reserved || !traits.isPxe) return network.leaseSeconds;
    return Math.min(network.leaseSeconds, pxePhaseLeaseSeconds);
  }

  private onDiscover(request: DhcpPacket, mac: string): PolicyOutcome {
    const traits = readClientTraits(request);
    const network = this.networkOf(request);
    const host = this.deps.view.findHostByMac(mac);
    const hostId = host?.id ?? null;
    const base = { traits: describeTraits(traits), giaddr: request.giaddr === zeroAddress ? undefined : request.giaddr };
    if (!network) return { result: 'ignored', reason: 'no-network', mac, hostId, detail: base };
    // DESIGN.md "Identity": an unknown machine shows in the console's discovery list, offered or not.
    if (!host) this.deps.discovery?.noteUnknownMachine(mac, network.id, null);
    const address = host ? addressForHost(host, network, (ip) => this.inSubnet(network, ip)) : ({ kind: 'pool' } as const);
    if (address.kind === 'refused') {
      const why = address.reason === 'host-on-other-network' ? { network: network.name } : address.reason === 'reservation-outside-network' ? { ip: host!.ip } : {};
      return { result: 'ignored', reason: address.reason, mac, hostId, detail: { ...base, ...why } };
    }
    let assignment: Assignment;
    let reclaimed: string | undefined;
    if (address.kind === 'reserved') {
      assignment = { network, host, ip: address.ip, leaseSeconds: this.leaseSecondsFor(network, traits, true) };
    } else {
      if (!host && !network.discoveryEnabled) return { result: 'ignored', reason: 'discovery-disabled', mac, hostId, detail: base };
      // RFC 3074: a pool client belongs to one bootd of the pair (reservations are answered by both).
      const scope = this.scope.decide(request.chaddr.subarray(0, request.hlen), request.secs);
      if (!scope.serve) return { result: 'ignored', reason: scope.reason, mac, hostId, detail: { ...base, owner: scope.owner, secs: request.secs } };
      const offered = this.deps.leases.offer({
        network, mac, requestedIp: getIpOption(request, DhcpOption.RequestedIpAddress), holdSeconds: offerHoldSeconds,
        nowMs: this.now(), isAssignable: this.assignableIn(network),
      });
      if (offered.kind !== 'offered') return { result: 'ignored', reason: poolRefusalReason[offered.kind], mac, hostId, detail: { ...base, network: network.name } };
      assignment = { network, host, ip: offered.ip, leaseSeconds: this.leaseSecondsFor(network, traits, false) };
      if (offered.reclaimedFrom) reclaimed = offered.reclaimedFrom;
    }
    const outcome = this.replyWithAddress(request, MessageType.Offer, assignment, traits, reclaimed ? { reclaimedOfferOf: reclaimed } : {});
    if (outcome.result === 'replied') outcome.inbound = base;
    return outcome;
  }

  /** RFC 2131 §4.3.2: the four forms of REQUEST, told apart by server id, requested address and ciaddr. */
  private onRequest(request: DhcpPacket, mac: string): PolicyOutcome | Promise<PolicyOutcome> {
    const traits = readClientTraits(request);
    const host = this.deps.view.findHostByMac(mac);
    const hostId = host?.id ?? null;
    const requestedIp = getIpOption(request, DhcpOption.RequestedIpAddress);
    const ours = this.isOurServerId(request);
    const form = ours !== null ? 'selecting' : requestedIp ? 'init-reboot' : request.ciaddr !== zeroAddress ? 'renewing' : 'malformed';
    const detail = { form, requestedIp: requestedIp ?? undefined, ciaddr: request.ciaddr === zeroAddress ? undefined : request.ciaddr, traits: describeTraits(traits) };

    // Selecting: a REQUEST naming another server is that client declining our offer: stay silent.
    if (ours === false) return ignored('other-server', mac, hostId, detail);
    if (form === 'malformed') return ignored('request-without-address', mac, hostId, detail);
    const address = form === 'renewing' ? request.ciaddr : requestedIp!;
    const network = this.networkOf(request);
    if (!network) return ignored('no-network', mac, hostId, detail);
    if (host && !host.bootEnabled) return ignored('boot-disabled', mac, hostId, detail);
    // INIT-REBOOT on the wrong subnet (the client moved): NAK so it starts over (§4.3.2).
    if (!this.inSubnet(network, address)) return form === 'renewing' ? ignored('address-not-on-our-networks', mac, hostId, detail) : this.nak(request, mac, hostId, 'wrong-subnet', detail);

    if (host?.ip) {
      if (host.networkId !== null && host.networkId !== network.id) return this.nak(request, mac, hostId, 'host-on-other-network', detail);
      if (address !== host.ip) return this.nak(request, mac, hostId, 'not-the-reserved-address', detail);
      return this.replyWithAddress(request, MessageType.Ack, { network, host, ip: host.ip, leaseSeconds: this.leaseSecondsFor(network, traits, true) }, traits, detail);
    }
    if (!host && !network.discoveryEnabled) return form === 'selecting' ? this.nak(request, mac, hostId, 'discovery-disabled', detail) : ignored('discovery-disabled', mac, hostId, detail);
    const mine = this.deps.leases.findLeaseByMac(network.id, mac);
    if (form === 'init-reboot') {
      // Broadcast, so both bootd of a pair hear it: the client's owner answers (RFC 3074), the other stays silent.
      const scope = this.scope.decide(request.chaddr.subarray(0, request.hlen), request.secs);
      if (!scope.serve) return ignored(scope.reason, mac, hostId, detail);
    }
    if (form !== 'selecting') {
      // §4.3.2: with no record of this client we stay silent, so servers that don't talk to each other coexist.
      const holder = this.deps.leases.findLeaseByIp(network.id, address);
      if (!mine || mine.ip !== address) {
        if (holder && holder.mac !== mac && holder.state !== 'released') return this.nak(request, mac, hostId, 'address-held-by-another-client', detail);
        if (!mine) return ignored('no-record-of-client', mac, hostId, detail);
        return this.nak(request, mac, hostId, 'not-the-leased-address', detail);
      }
    }
    if (!isInPool(network, address) || !this.isAssignable(network, address)) return this.nak(request, mac, hostId, 'address-not-in-pool', detail);
    const leaseSeconds = this.leaseSecondsFor(network, traits, false);
    const nowMs = this.now();
    const binding = this.deps.leases.bind({
      network, mac, ip: address, leaseSeconds, clientId: traits.clientId, hostname: traits.hostname, nowMs, mayReuse: form !== 'renewing',
    });
    return binding.then((bound) => {
      if (bound.kind === 'taken') return this.nak(request, mac, hostId, 'address-taken', detail);
      if (bound.kind === 'unavailable') return ignored('lease-store-unavailable', mac, hostId, detail);
      if (!host) this.deps.discovery?.noteUnknownMachine(mac, network.id, address);
      // A reused binding (lease-store.ts reusableBinding) has less time left than a new one: the
      // ACK grants what the stored row says, never more.
      const granted = Math.max(1, Math.min(leaseSeconds, Math.floor((bound.expiresAtMs - nowMs) / 1000)));
      return this.replyWithAddress(request, MessageType.Ack, { network, host, ip: address, leaseSeconds: granted }, traits, detail);
    });
  }

  /** RFC 2131 §4.3.3: the client saw the address in use (ARP); quarantine it, no reply. */
  private onDecline(request: DhcpPacket, mac: string): PolicyOutcome {
    const host = this.deps.view.findHostByMac(mac);
    const hostId = host?.id ?? null;
    const ip = getIpOption(request, DhcpOption.RequestedIpAddress);
    if (this.isOurServerId(request) !== true) return { result: 'ignored', reason: 'other-server', mac, hostId, detail: { ip } };
    const network = this.networkOf(request);
    if (!network || !ip) return { result: 'ignored', reason: 'declined-unknown-address', mac, hostId, detail: { ip } };
    if (host?.ip === ip) {
      // A reservation can't be moved by us: another device squats on it, the operator must act.
      return { result: 'ignored', reason: 'reserved-address-in-use', mac, hostId, detail: { ip } };
    }
    if (isInPool(network, ip)) this.deps.leases.decline(network.id, mac, ip, this.now());
    return { result: 'ignored', reason: 'declined', mac, hostId, detail: { ip, quarantined: isInPool(network, ip) } };
  }

  /** RFC 2131 §4.3.4: free the lease, no reply. */
  private onRelease(request: DhcpPacket, mac: string): PolicyOutcome {
    const hostId = this.deps.view.findHostByMac(mac)?.id ?? null;
    if (this.isOurServerId(request) === false) return { result: 'ignored', reason: 'other-server', mac, hostId, detail: {} };
    const network = this.networkOf(request);
    if (network) this.deps.leases.release(network.id, mac, request.ciaddr, this.now());
    return { result: 'ignored', reason: 'released', mac, hostId, detail: { ip: request.ciaddr } };
  }

  /** RFC 2131 §4.3.5: configuration only, no address, no lease time. */
  private onInform(request: DhcpPacket, mac: string): PolicyOutcome {
    const traits = readClientTraits(request);
    const host = this.deps.view.findHostByMac(mac);
    const network = this.networkOf(request);
    if (!network || request.ciaddr === zeroAddress) return { result: 'ignored', reason: 'inform-without-address', mac, hostId: host?.id ?? null, detail: {} };
    return this.replyWithAddress(request, MessageType.Ack, { network, host, ip: zeroAddress, leaseSeconds: 0 }, traits, { form: 'inform' });
  }

  private inSubnet(network: NetworkView, ip: string): boolean {
    const cidr = cidrOf(network);
    const n = parseIp(ip);
    return cidr !== null && n !== null && cidrContains(cidr, n);
  }

  private replyHeader(request: DhcpPacket): DhcpPacket {
    // RFC 2131 §4.3.1 table 3: xid, flags, giaddr, chaddr copied from the client.
    return {
      op: BootpOp.Reply, htype: request.htype, hlen: request.hlen, hops: 0, xid: request.xid, secs: 0, flags: request.flags,
      ciaddr: zeroAddress, yiaddr: zeroAddress, siaddr: zeroAddress, giaddr: request.giaddr, chaddr: request.chaddr,
      serverName: '', bootFileName: '', options: new Map(),
    };
  }

  private nak(request: DhcpPacket, mac: string, hostId: string | null, reason: string, detail: Record<string, unknown>): PolicyOutcome {
    const reply = this.replyHeader(request);
    reply.options.set(DhcpOption.MessageType, Buffer.from([MessageType.Nak]));
    reply.options.set(DhcpOption.ServerIdentifier, this.serverIdentifier);
    reply.options.set(DhcpOption.Message, Buffer.from(reason, 'latin1'));
    echoRelayAgentInfo(request, reply);
    return { result: 'replied', reply, replyType: MessageType.Nak, mac, hostId, detail: { ...detail, reason } };
  }

  private replyWithAddress(request: DhcpPacket, type: MessageType.Offer | MessageType.Ack, a: Assignment, traits: ClientTraits, detail: Record<string, unknown> = {}): PolicyOutcome {
    const { config, view } = this.deps;
    const reply = this.replyHeader(request);
    const inform = a.leaseSeconds === 0;
    // RFC 2131 table 3: ciaddr is echoed in an ACK (renewing, INFORM), 0 in an OFFER.
    if (type === MessageType.Ack) reply.ciaddr = request.ciaddr;
    reply.yiaddr = a.ip;
    const o = reply.options;
    o.set(DhcpOption.MessageType, messageTypeOption[type]);
    o.set(DhcpOption.ServerIdentifier, this.serverIdentifier);
    if (!inform) {
      const times = leaseTimeOptions(a.leaseSeconds);
      o.set(DhcpOption.IpAddressLeaseTime, times.lease);
      o.set(DhcpOption.RenewalTime, times.renewal);
      o.set(DhcpOption.RebindingTime, times.rebinding);
    }
    // The network's own options, encoded once per network record (view records are immutable).
    for (const [code, value] of networkOptions(a.network)) o.set(code, value);
    if (a.host) o.set(DhcpOption.HostName, Buffer.from(a.host.hostname, 'latin1'));

    // Option 55 as sent: Buffer.includes finds a code without building a list per reply.
    const asked = request.options.get(DhcpOption.ParameterRequestList);
    // Option 7 carries addresses only, so clients send to 514: named only when syslog listens there.
    const logServer = asked?.includes(DhcpOption.LogServer) ? this.deps.logServer?.() : null;
    if (logServer && logServer.port === standardSyslogPort) o.set(DhcpOption.LogServer, ipToBuffer(logServer.address));

    const role = a.host?.roleId ? view.findRoleById(a.host.roleId) : null;
    const boot = pickBootFile(traits, role, a.network, config, this.deps.uefiChainWithoutRole);
    if (boot) {
      reply.siaddr = boot.nextServer;
      reply.bootFileName = boot.fileName;
      if (asked?.includes(DhcpOption.TftpServerName)) o.set(DhcpOption.TftpServerName, Buffer.from(boot.nextServer, 'latin1'));
      if (asked?.includes(DhcpOption.BootfileName)) o.set(DhcpOption.BootfileName, Buffer.from(boot.fileName, 'latin1'));
    }
    // PXE spec 2.1 §2.2.1: a server answering a PXE client identifies itself with "PXEClient".
    if (traits.vendorClass?.startsWith('PXEClient')) {
      o.set(DhcpOption.VendorClassIdentifier, Buffer.from('PXEClient', 'latin1'));
      // PXE spec 2.1 §2.4.2 vendor option 43, PXE_DISCOVERY_CONTROL (6) = 8: "boot file in the
      // offer: download it, no boot server discovery". Without it UEFI PXE (edk2/OVMF) treats the
      // offer as BINL, asks the server on udp/4011 for the file and gives up (PXE-E16).
      if (boot) o.set(DhcpOption.VendorSpecific, pxeDiscoveryControlDownloadOnly);
    } else if (traits.vendorClass?.startsWith(httpClientVendorClass)) {
      o.set(DhcpOption.VendorClassIdentifier, httpClientVendorClassOption);
    }
    echoRelayAgentInfo(request, reply);
    // The caller's detail is this reply's own (made per packet): added to in place, not copied by a
    // spread (a spread of details of varying shape defeats V8's inline caches on the hot path).
    detail.ip = inform ? undefined : a.ip;
    detail.network = a.network.name;
    detail.bootFile = boot?.fileName;
    detail.leaseSeconds = inform ? undefined : a.leaseSeconds;
    return { result: 'replied', reply, replyType: type, mac: traits.mac, hostId: a.host?.id ?? null, detail };
  }
}

/** An outcome without a reply (a function, not a closure per packet). */
function ignored(reason: string, mac: string | null, hostId: string | null = null, detail: Record<string, unknown> = {}): PolicyOutcome {
  return { result: 'ignored', reason, mac, hostId, detail };
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

const httpClientVendorClassOption = Buffer.from(httpClientVendorClass, 'latin1');

/** Option 43 for PXE clients: sub-option 6 (discovery control), length 1, bit 3 set; end. */
const pxeDiscoveryControlDownloadOnly = Buffer.from([6, 1, 8, 255]);

const messageTypeOption = { [MessageType.Offer]: Buffer.from([MessageType.Offer]), [MessageType.Ack]: Buffer.from([MessageType.Ack]) };

const leaseTimeCache = new Map<number, { lease: Buffer; renewal: Buffer; rebinding: Buffer }>();
/** Options 51/58/59 for a lease length; RFC 2131 §4.4.5 defaults: T1 = 0.5, T2 = 0.875 of the lease. */
function leaseTimeOptions(leaseSeconds: number): { lease: Buffer; renewal: Buffer; rebinding: Buffer } {
  let t = leaseTimeCache.get(leaseSeconds);
  if (!t) {
    t = { lease: uint32(leaseSeconds), renewal: uint32(Math.floor(leaseSeconds * 0.5)), rebinding: uint32(Math.floor(leaseSeconds * 0.875)) };
    // Bounded, never cleared: the first 64 lengths seen stay (the time left on reused leases varies; past 64 it is built per reply).
    if (leaseTimeCache.size < 64) leaseTimeCache.set(leaseSeconds, t);
  }
  return t;
}

const cidrCache = new WeakMap<NetworkView, ReturnType<typeof parseCidr>>();
/** A network's parsed CIDR, once per (immutable) view record. */
function cidrOf(network: NetworkView): ReturnType<typeof parseCidr> {
  let c = cidrCache.get(network);
  if (c === undefined) cidrCache.set(network, c = parseCidr(network.cidr));
  return c;
}

const networkOptionCache = new WeakMap<NetworkView, Array<[DhcpOption, Buffer]>>();
/** Mask, broadcast, router, DNS and domain of a network, in the order they go on the wire. */
function networkOptions(network: NetworkView): Array<[DhcpOption, Buffer]> {
  let list = networkOptionCache.get(network);
  if (list) return list;
  list = [];
  const cidr = parseCidr(network.cidr);
  if (cidr) {
    list.push([DhcpOption.SubnetMask, ipToBuffer(formatIPv4(cidr.mask))]);
    list.push([DhcpOption.BroadcastAddress, ipToBuffer(formatIPv4(cidr.broadcast))]);
  }
  if (network.gateway) list.push([DhcpOption.Router, ipToBuffer(network.gateway)]);
  if (network.dnsServers.length > 0) list.push([DhcpOption.DomainNameServer, Buffer.concat(network.dnsServers.map(ipToBuffer))]);
  if (network.domain) list.push([DhcpOption.DomainName, Buffer.from(network.domain, 'latin1')]);
  networkOptionCache.set(network, list);
  return list;
}

/**
 * RFC 3046 §2.2: the server copies option 82 unchanged into its reply, as the last option.
 * With or without giaddr: a snooping switch inserts option 82 and leaves giaddr 0 (RFC 3046
 * §2.1.1 allows it), and §2.2 asks the echo in every reply to a request that carried it.
 */
function echoRelayAgentInfo(request: DhcpPacket, reply: DhcpPacket): void {
  const info = request.options.get(DhcpOption.RelayAgentInformation);
  if (info) reply.options.set(DhcpOption.RelayAgentInformation, info);
}

function describeTraits(t: ClientTraits): Record<string, unknown> {
  return {
    arch: t.arch ?? undefined,
    vendorClass: printable(t.vendorClass),
    ipxe: t.isIpxe || undefined,
    machineId: t.machineId ?? undefined,
    hostname: printable(t.hostname),
  };
}

/**
 * Client-sent text as it may go into an event: control characters (NUL above all, which a
 * jsonb column refuses, failing the whole event batch) become "?", and it is capped in length.
 */
function printable(text: string | null): string | undefined {
  if (text === null) return undefined;
  return text.slice(0, 128).replace(/[\u0000-\u001f\u007f]/g, '?');
}
