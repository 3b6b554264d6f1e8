// The shape of bootd's in-memory view of the database (DESIGN.md "Processes"): plain,
// immutable records the DHCP/TFTP/HTTP policies read on the reply path. config-cache.ts
// builds and refreshes it; nothing on the reply path awaits the database.
import type { NetworkSettings } from '../network-settings.ts';

export type RootMode = 'ram' | 'nfs' | 'disk';
export type BootLoader = 'pxelinux' | 'ipxe';
/** A role's UEFI chain: iPXE (unsigned), or shim → signed GRUB → kernel for UEFI Secure Boot. */
export type UefiBootChain = 'ipxe' | 'secure_boot';
export type BootOverride = 'rescue' | 'memtest' | 'localdisk' | 'image';

export interface NetworkView extends NetworkSettings {
  id: string;
  /** Names of the one or two boot servers assigned to it; empty: only unnamed bootd serve it. */
  servedBy: string[];
}

export interface ArtifactView {
  sha256: string;
  sizeBytes: number;
  /** Absolute path of the stored file. */
  path: string;
}

export interface ImageView {
  id: string;
  roleId: string;
  version: string;
  status: string;
  kernel: ArtifactView | null;
  initrd: ArtifactView | null;
  rootfs: ArtifactView | null;
}

export interface RoleView {
  id: string;
  name: string;
  rootMode: RootMode;
  bootLoader: BootLoader;
  uefiBootChain: UefiBootChain;
  cmdlineTemplate: string;
  nfsExport: string | null;
  diskRoot: string | null;
  healthCheck: string | null;
  activeImageId: string | null;
  /** The image a rollback returns to: its artifacts stay in a boot server's cache. Absent in views from before it was kept. */
  previousImageId?: string | null;
  stallSeconds: number;
}

export interface HostView {
  id: string;
  hostname: string;
  /** lower-case aa:bb:cc:dd:ee:ff, or null while waiting for hardware */
  mac: string | null;
  ip: string | null;
  /** Reserved IPv6 address (RFC 5952 form), or null/absent. */
  ipv6?: string | null;
  networkId: string | null;
  roleId: string | null;
  spare: boolean;
  bootEnabled: boolean;
  imageOverrideId: string | null;
  bootOverride: BootOverride | null;
  state: string;
}

/** Read side used by the boot services. Lookups that may miss return null. */
export interface BootView {
  readonly seq: bigint;
  findHostByMac(mac: string): HostView | null;
  /** By hostname, case-insensitive (the boot agent's `fleetboot.host=` fallback). */
  findHostByHostname(hostname: string): HostView | null;
  findHostByIp(ip: string): HostView | null;
  findHostById(id: string): HostView | null;
  findNetworkById(id: string): NetworkView | null;
  /** The network whose CIDR contains ip (used for giaddr and the receiving interface). */
  findNetworkContaining(ip: string): NetworkView | null;
  /** The network a relay with this giaddr serves: listed relay address first, else CIDR. */
  findNetworkForRelay(giaddr: string): NetworkView | null;
  /** The network whose IPv6 prefix contains this address (a DHCPv6 relay's link-address), or null. */
  findNetworkContainingIPv6(address: string): NetworkView | null;
  /** The host holding this IPv6 reservation, or null. */
  findHostByIpv6(address: string): HostView | null;
  findRoleById(id: string): RoleView | null;
  findImageById(id: string): ImageView | null;
  networks(): readonly NetworkView[];
}
