// The indexed, read-only BootView: hosts by id, MAC, IPv4 or IPv6 address and name; networks by id and by the
// longest prefix (IPv4 CIDR or IPv6 prefix) containing an address; roles and images by id. bootd's config cache fills and
// patches one from the change log; the console's boot doctor fills one from the database, so
// both find hosts and networks the same way. Pure.
import type { BootView, HostView, ImageView, NetworkView, RoleView } from './boot-view.ts';
import { cidrContains, parseCidr, parseIPv4, type Cidr } from '../ipv4.ts';
import { ipv6PrefixContains, parseIPv6, parseIPv6Prefix } from '../ipv6.ts';

export const snapshotFormat = 1;
/** A snapshot written before networks had an IPv6 side lacks these fields: such a network is IPv4 only. */
const ipv4OnlyNetwork = { ipv6Prefix: null, ipv6PoolStart: null, ipv6PoolEnd: null, ipv6BootServer: null } as const;

export interface ViewSnapshot {
  format: number;
  seq: string;
  /** The boot server whose networks these are (null: every network); another name's snapshot is not served. */
  bootServerName?: string | null;
  networks: NetworkView[];
  roles: RoleView[];
  images: ImageView[];
  hosts: HostView[];
}

/** The indexed, read-only view. Replaced or patched only by ConfigCache. */
export class ViewIndex implements BootView {
  seq = 0n;
  private readonly hostsById = new Map<string, HostView>();
  private readonly hostsByMac = new Map<string, HostView>();
  private readonly hostsByIp = new Map<string, HostView>();
  private readonly hostsByIpv6 = new Map<string, HostView>();
  /** Hostnames are unique and stored lower-case (server/validation/fields.ts); keyed lower-case all the same. */
  private readonly hostsByName = new Map<string, HostView>();
  private readonly networksById = new Map<string, NetworkView>();
  private readonly networkCidrs = new Map<string, Cidr>();
  private readonly rolesById = new Map<string, RoleView>();
  private readonly imagesById = new Map<string, ImageView>();

  findHostByMac(mac: string): HostView | null { return this.hostsByMac.get(mac.toLowerCase()) ?? null; }
  findHostByHostname(hostname: string): HostView | null { return this.hostsByName.get(hostname.toLowerCase()) ?? null; }
  findHostByIp(ip: string): HostView | null { return this.hostsByIp.get(ip) ?? null; }
  findHostByIpv6(address: string): HostView | null { return this.hostsByIpv6.get(address) ?? null; }
  findHostById(id: string): HostView | null { return this.hostsById.get(id) ?? null; }
  findNetworkById(id: string): NetworkView | null { return this.networksById.get(id) ?? null; }
  findRoleById(id: string): RoleView | null { return this.rolesById.get(id) ?? null; }
  findImageById(id: string): ImageView | null { return this.imagesById.get(id) ?? null; }
  networks(): readonly NetworkView[] { return [...this.networksById.values()]; }
  hostCount(): number { return this.hostsById.size; }
  hosts(): Iterable<HostView> { return this.hostsById.values(); }
  roles(): Iterable<RoleView> { return this.rolesById.values(); }
  images(): Iterable<ImageView> { return this.imagesById.values(); }

  findNetworkContaining(ip: string): NetworkView | null {
    const addr = parseIPv4(ip);
    if (addr === null) return null;
    let best: NetworkView | null = null;
    let bestLen = -1;
    for (const [id, cidr] of this.networkCidrs) {
      if (cidr.prefixLength > bestLen && cidrContains(cidr, addr)) {
        best = this.networksById.get(id) ?? null;
        bestLen = cidr.prefixLength;
      }
    }
    return best;
  }

  findNetworkContainingIPv6(address: string): NetworkView | null {
    const addr = parseIPv6(address);
    if (addr === null) return null;
    let best: NetworkView | null = null;
    let bestLen = -1;
    for (const n of this.networksById.values()) {
      const prefix = n.ipv6Prefix ? parseIPv6Prefix(n.ipv6Prefix) : null;
      if (prefix && prefix.prefixLength > bestLen && ipv6PrefixContains(prefix, addr)) {
        best = n;
        bestLen = prefix.prefixLength;
      }
    }
    return best;
  }

  findNetworkForRelay(giaddr: string): NetworkView | null {
    for (const n of this.networksById.values()) if (n.relayAddresses.includes(giaddr)) return n;
    return this.findNetworkContaining(giaddr);
  }

  putHost(h: HostView): void {
    this.deleteHost(h.id);
    this.hostsById.set(h.id, h);
    if (h.mac) this.hostsByMac.set(h.mac, h);
    if (h.ip) this.hostsByIp.set(h.ip, h);
    if (h.ipv6) this.hostsByIpv6.set(h.ipv6, h);
    this.hostsByName.set(h.hostname.toLowerCase(), h);
  }

  deleteHost(id: string): void {
    const old = this.hostsById.get(id);
    if (!old) return;
    this.hostsById.delete(id);
    if (old.mac && this.hostsByMac.get(old.mac) === old) this.hostsByMac.delete(old.mac);
    if (old.ip && this.hostsByIp.get(old.ip) === old) this.hostsByIp.delete(old.ip);
    if (old.ipv6 && this.hostsByIpv6.get(old.ipv6) === old) this.hostsByIpv6.delete(old.ipv6);
    const name = old.hostname.toLowerCase();
    if (this.hostsByName.get(name) === old) this.hostsByName.delete(name);
  }

  putNetwork(n: NetworkView): void {
    this.networksById.set(n.id, n);
    const cidr = parseCidr(n.cidr);
    if (cidr) this.networkCidrs.set(n.id, cidr);
    else this.networkCidrs.delete(n.id);
  }

  deleteNetwork(id: string): void {
    this.networksById.delete(id);
    this.networkCidrs.delete(id);
  }

  putRole(r: RoleView): void { this.rolesById.set(r.id, r); }
  deleteRole(id: string): void { this.rolesById.delete(id); }
  putImage(i: ImageView): void { this.imagesById.set(i.id, i); }
  deleteImage(id: string): void { this.imagesById.delete(id); }

  toSnapshot(bootServerName: string | null): ViewSnapshot {
    return {
      format: snapshotFormat,
      seq: this.seq.toString(),
      bootServerName,
      networks: [...this.networksById.values()],
      roles: [...this.rolesById.values()],
      images: [...this.imagesById.values()],
      hosts: [...this.hostsById.values()],
    };
  }

  static fromSnapshot(s: ViewSnapshot): ViewIndex {
    const v = new ViewIndex();
    v.seq = BigInt(s.seq);
    s.networks.forEach((n) => v.putNetwork({ ...ipv4OnlyNetwork, ...n }));
    s.roles.forEach((r) => v.putRole(r));
    s.images.forEach((i) => v.putImage(i));
    s.hosts.forEach((h) => v.putHost(h));
    return v;
  }
}
