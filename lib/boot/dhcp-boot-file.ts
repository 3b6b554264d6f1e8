// The DHCP side of "what does this machine boot?": which address a known host gets on a
// network, and which boot file (and next-server) its firmware is told to fetch. Pure: bootd's
// DHCP policy (boot-services/dhcp/policy.ts) answers every packet with these functions, and the
// console's boot doctor (lib/boot/host-doctor.ts) asks them the same questions before power-on.
import type { HostView, NetworkView, RoleView, UefiBootChain } from './boot-view.ts';
import { joinUrl, uefiBootloaderNames } from './boot-paths.ts';
import { ClientArch } from '../dhcp/options.ts';

/** What pickBootFile reads of a client (policy.ts's ClientTraits has more). */
export interface BootClient {
  mac: string | null;
  arch: ClientArch | null;
  isPxe: boolean;
  isIpxe: boolean;
}

export interface BootFile {
  nextServer: string;
  fileName: string;
}

export interface BootServerAddresses {
  serverAddress: string;
  httpBaseUrl: string;
}

/** The UEFI first stage a role's chain starts with (its UEFI hosts, PXE or HTTP boot alike). */
export function uefiFirstStage(chain: UefiBootChain): string {
  return chain === 'secure_boot' ? uefiBootloaderNames.shim : uefiBootloaderNames.ipxe;
}

/**
 * RFC 4578 §2.1 architecture → boot loader. A client already running iPXE gets the URL of
 * its own script, else it would chain-load iPXE forever. UEFI HTTP boot (arch 16) gets a URL
 * of the boot root (http/service.ts serves the TFTP namespace at /), so shim finds
 * grubx64.efi next to itself and GRUB its grub/ directory.
 */
export function pickBootFile(traits: BootClient, role: RoleView | null, network: NetworkView, config: BootServerAddresses, uefiChainWithoutRole: UefiBootChain = 'ipxe'): BootFile | null {
  const nextServer = network.bootServer ?? config.serverAddress;
  const uefiChain = role ? role.uefiBootChain : uefiChainWithoutRole;
  // A BIOS iPXE ROM (QEMU's, many NICs') whose host's role asks for pxelinux runs pxelinux.0
  // through its PXE API: pxelinux does no DHCP of its own, so this can't loop like a chain to iPXE.
  const biosPxelinux = role?.bootLoader === 'pxelinux' && (traits.arch ?? ClientArch.X86Bios) === ClientArch.X86Bios;
  if (traits.isIpxe && traits.mac && !biosPxelinux) return { nextServer, fileName: `${config.httpBaseUrl}/boot/v1/ipxe/${traits.mac}` };
  if (!traits.isPxe) return null;
  switch (traits.arch ?? ClientArch.X86Bios) {
    case ClientArch.X86Bios:
      return { nextServer, fileName: role?.bootLoader === 'ipxe' ? 'undionly.kpxe' : 'pxelinux.0' };
    case ClientArch.X64Efi:
    case ClientArch.EfiBc:
      return { nextServer, fileName: uefiFirstStage(uefiChain) };
    case ClientArch.X64EfiHttp:
      return { nextServer, fileName: joinUrl(config.httpBaseUrl, `/${uefiFirstStage(uefiChain)}`) };
    default:
      return null;
  }
}

/** Why DHCP stays silent to a known host on a network (the reason on its ignored DISCOVER). */
export type HostAddressRefusal = 'boot-disabled' | 'host-on-other-network' | 'reservation-outside-network';

export type HostAddress =
  | { kind: 'reserved'; ip: string }
  /** No reservation: a pool lease, if the network has a free one. */
  | { kind: 'pool' }
  | { kind: 'refused'; reason: HostAddressRefusal };

/** RFC 2131 §4.3.1: the address a known host is offered on `network` (the relay's or the interface's). */
export function addressForHost(host: HostView, network: NetworkView, inSubnet: (ip: string) => boolean): HostAddress {
  if (!host.bootEnabled) return { kind: 'refused', reason: 'boot-disabled' };
  if (host.networkId !== null && host.networkId !== network.id) return { kind: 'refused', reason: 'host-on-other-network' };
  if (host.ip) return inSubnet(host.ip) ? { kind: 'reserved', ip: host.ip } : { kind: 'refused', reason: 'reservation-outside-network' };
  return { kind: 'pool' };
}
