// A BootView made of plain objects, for tests of the boot services before (and besides) the
// Postgres-backed config cache. Mutable on purpose: tests change a host's role between requests.
import type { BootView, HostView, ImageView, NetworkView, RoleView } from '../boot-view.ts';

export class FakeBootView implements BootView {
  seq = 1n;
  hosts: HostView[] = [];
  roles: RoleView[] = [];
  images: ImageView[] = [];
  networkList: NetworkView[] = [];

  findHostByMac(mac: string): HostView | null {
    return this.hosts.find((h) => h.mac === mac.toLowerCase()) ?? null;
  }
  findHostByHostname(hostname: string): HostView | null {
    return this.hosts.find((h) => h.hostname === hostname.toLowerCase()) ?? null;
  }
  findHostByIp(ip: string): HostView | null {
    return this.hosts.find((h) => h.ip === ip) ?? null;
  }
  findHostById(id: string): HostView | null {
    return this.hosts.find((h) => h.id === id) ?? null;
  }
  findNetworkById(id: string): NetworkView | null {
    return this.networkList.find((n) => n.id === id) ?? null;
  }
  findNetworkContaining(): NetworkView | null {
    return this.networkList[0] ?? null;
  }
  findNetworkForRelay(): NetworkView | null {
    return null;
  }
  findNetworkContainingIPv6(): NetworkView | null {
    return this.networkList.find((n) => n.ipv6Prefix) ?? null;
  }
  findHostByIpv6(address: string): HostView | null {
    return this.hosts.find((h) => h.ipv6 === address) ?? null;
  }
  findRoleById(id: string): RoleView | null {
    return this.roles.find((r) => r.id === id) ?? null;
  }
  findImageById(id: string): ImageView | null {
    return this.images.find((i) => i.id === id) ?? null;
  }
  networks(): readonly NetworkView[] {
    return this.networkList;
  }
}

export function role(over: Partial<RoleView> & Pick<RoleView, 'id' | 'name'>): RoleView {
  return { rootMode: 'ram', bootLoader: 'pxelinux', uefiBootChain: 'ipxe', cmdlineTemplate: 'console=ttyS0 fleetboot.host={hostname} fleetboot.role={role} fleetboot.root={rootMode}', nfsExport: null, diskRoot: null, healthCheck: null, activeImageId: null, stallSeconds: 600, ...over };
}

export function host(over: Partial<HostView> & Pick<HostView, 'id' | 'hostname'>): HostView {
  return { mac: null, ip: null, networkId: null, roleId: null, spare: false, bootEnabled: true, imageOverrideId: null, bootOverride: null, state: 'registered', ...over };
}

export function image(over: Partial<ImageView> & Pick<ImageView, 'id' | 'roleId' | 'version'>): ImageView {
  return { status: 'active', kernel: null, initrd: null, rootfs: null, ...over };
}
