// Which host a client address is, at the moment it speaks to bootd (a TFTP read, an HTTP
// download, a syslog datagram): the host whose reserved address it is (the view); else the MAC
// holding a bound pool lease on it (this bootd's DHCP lease book, without waiting; or, when this
// bootd runs no DHCP, the Lease table, asked once and remembered briefly); else the MAC the boot
// agent authenticated from it (/boot/v1/identity). The MAC's host, if it has one, is the host;
// an unknown machine keeps its MAC so its transfers land on its discovery record.
// Answers that wait for the Lease table are handed on in the order they were asked for, so a
// host's log lines and transfer events never change order.
import net from 'node:net';
import type { BootView, HostView } from '../lib/boot/boot-view.ts';

export type ClientSource = 'reservation' | 'lease' | 'agent' | 'unknown';

export interface ClientIdentity {
  host: HostView | null;
  mac: string | null;
  /** How the address was tied to the host (shown on events, so a wrong match can be traced). */
  by: ClientSource;
}

export interface ClientHostsOptions {
  view: Pick<BootView, 'findHostByIp' | 'findHostByIpv6' | 'findHostByMac' | 'findHostById'>;
  /** The MAC holding a bound, unexpired pool lease on `ip`, or null. Absent: reservations only. */
  findLeaseHolderMac?: (ip: string) => Promise<string | null>;
  /** A lease holder is believed this long (a released address can go to another MAC). */
  leaseMemoMs?: number;
  /** "No lease on this address" is believed this long. */
  noLeaseMemoMs?: number;
  /** An address the boot agent spoke from is its MAC's this long (the agent's lease renews itself). */
  agentMemoMs?: number;
  /** Lookups in flight at most; past that a client counts as unknown. */
  maxLookups?: number;
  now?: () => number;
  onLookupError?: (ip: string, err: Error) => void;
}

/** bootd's own DHCP lease book: the MAC holding a bound lease on `ip` now, or null. */
export type LeaseBookLookup = (ip: string, nowMs: number) => string | null;

type Delivery = (client: ClientIdentity) => void;

const unknownClient: ClientIdentity = Object.freeze({ host: null, mac: null, by: 'unknown' as const });

export class ClientHosts {
  private readonly memo = new Map<string, { mac: string | null; untilMs: number }>();
  private readonly agents = new Map<string, { mac: string; hostId: string | null; untilMs: number }>();
  private readonly waiting = new Map<string, Delivery[]>();
  /** Lease lookups in flight (settle() waits for them). */
  private readonly lookups = new Set<Promise<void>>();
  private leaseBook: LeaseBookLookup | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: ClientHostsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Called by the DHCP service once its lease book is loaded: leases are then known without the database. */
  useLeaseBook(lookup: LeaseBookLookup | null): void {
    this.leaseBook = lookup;
  }

  /** The boot agent proved it speaks for `mac` (and `hostId`, when identified by name) from `ip`. */
  noteAgent(ip: string, mac: string, hostId: string | null): void {
    if (this.agents.size > 4096) this.prune(this.agents);
    this.agents.set(ip, { mac, hostId, untilMs: this.now() + (this.opts.agentMemoMs ?? 600_000) });
  }

  /** The client at `ip` if known without waiting; undefined when the Lease table must be asked. */
  knownNow(ip: string): ClientIdentity | undefined {
    if (this.waiting.has(ip)) return undefined;
    // An IPv6 client (TFTP/HTTP after DHCPv6) is found by its host's reserved IPv6 address.
    const reserved = net.isIPv6(ip) ? this.opts.view.findHostByIpv6(ip) : this.opts.view.findHostByIp(ip);
    if (reserved) return { host: reserved, mac: reserved.mac, by: 'reservation' };
    const nowMs = this.now();
    // The lease book is DHCPv4's: an IPv6 pool client's lease is in Lease6, asked below.
    const leaseBook = net.isIPv6(ip) ? null : this.leaseBook;
    if (leaseBook) {
      const mac = leaseBook(ip, nowMs);
      if (mac) return this.ofMac(mac, 'lease');
    }
    const agent = this.agents.get(ip);
    if (agent && agent.untilMs > nowMs) {
      const host = (agent.hostId ? this.opts.view.findHostById(agent.hostId) : null) ?? this.opts.view.findHostByMac(agent.mac);
      return { host, mac: agent.mac, by: 'agent' };
    }
    // bootd's own lease book knows every lease of its networks (others' within its refresh).
    if (leaseBook || !this.opts.findLeaseHolderMac) return unknownClient;
    const known = this.memo.get(ip);
    if (known && known.untilMs > nowMs) return known.mac ? this.ofMac(known.mac, 'lease') : unknownClient;
    return undefined;
  }

  /** Calls `deliver` with the client (at once when no lookup is needed), in the order asked per address. */
  whenKnown(ip: string, deliver: Delivery): void {
    const queue = this.waiting.get(ip);
    // Behind an earlier request of this address that waits for its lookup: keep the order.
    if (queue) return void queue.push(deliver);
    const now = this.knownNow(ip);
    if (now) return deliver(now);
    if (this.waiting.size >= (this.opts.maxLookups ?? 256)) return deliver(unknownClient);
    this.waiting.set(ip, [deliver]);
    const lookup = this.lookUp(ip);
    this.lookups.add(lookup);
    void lookup.finally(() => this.lookups.delete(lookup));
  }

  /**
   * Resolves once every answer held back by a lookup has been handed on. bootd calls it when
   * stopping, after its services closed and before the event writer closes: the requests already
   * answered record their events from these deliveries, and an event recorded into a closed
   * writer would be lost. A lookup that takes longer than `timeoutMs` (a cut link hangs a query
   * rather than failing it) is not waited for: its clients are handed on as unknown.
   */
  async settle(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.lookups]),
      new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
    ]);
    clearTimeout(timer);
    for (const [ip, queue] of this.waiting) {
      this.waiting.delete(ip);
      for (const deliver of queue) deliver(unknownClient);
    }
  }

  identify(ip: string): Promise<ClientIdentity> {
    const now = this.knownNow(ip);
    return now ? Promise.resolve(now) : new Promise((resolve) => this.whenKnown(ip, resolve));
  }

  private ofMac(mac: string, by: ClientSource): ClientIdentity {
    return { host: this.opts.view.findHostByMac(mac), mac, by };
  }

  private async lookUp(ip: string): Promise<void> {
    let mac: string | null = null;
    try {
      mac = await this.opts.findLeaseHolderMac!(ip);
      this.remember(ip, mac);
    } catch (err) {
      // Not remembered: the next request asks again.
      this.opts.onLookupError?.(ip, err as Error);
    }
    const queue = this.waiting.get(ip) ?? [];
    this.waiting.delete(ip);
    const client = mac ? this.ofMac(mac, 'lease') : this.knownNow(ip) ?? unknownClient;
    for (const deliver of queue) deliver(client);
  }

  private remember(ip: string, mac: string | null): void {
    if (this.memo.size > 4096) this.prune(this.memo);
    this.memo.set(ip, { mac, untilMs: this.now() + (mac ? this.opts.leaseMemoMs ?? 30_000 : this.opts.noLeaseMemoMs ?? 5_000) });
  }

  private prune(map: Map<string, { untilMs: number }>): void {
    const nowMs = this.now();
    for (const [key, entry] of map) if (entry.untilMs <= nowMs) map.delete(key);
    if (map.size > 4096) map.clear();
  }
}
