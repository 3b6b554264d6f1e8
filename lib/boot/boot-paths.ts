// The names under which boot files are fetched: the TFTP names (relative to the TFTP root, as
// pxelinux and GRUB ask for them) and the HTTP paths under /boot/v1/. One place, so the
// configs we generate and the servers that answer them can't drift apart.

export type ArtifactKind = 'kernel' | 'initrd' | 'rootfs';
export const artifactKinds: readonly ArtifactKind[] = ['kernel', 'initrd', 'rootfs'];

export const httpBootPrefix = '/boot/v1';

/**
 * The UEFI first stages DHCP hands out, by the name bootd serves them under (bootloaders.ts
 * finds the files): iPXE, or the Secure Boot chain's Microsoft-signed shim, which loads
 * `grubx64.efi` (Debian's signed network GRUB) from the same directory or URL.
 */
export const uefiBootloaderNames = { ipxe: 'ipxe.efi', shim: 'shimx64.efi', grub: 'grubx64.efi' } as const;

/** TFTP name of an image artifact, e.g. images/<imageId>/kernel */
export function tftpArtifactName(imageId: string, kind: ArtifactKind): string {
  return `images/${imageId}/${kind}`;
}

export function httpArtifactPath(imageId: string, kind: ArtifactKind): string {
  return `${httpBootPrefix}/images/${encodeURIComponent(imageId)}/${kind}`;
}

/** The discovery environment (the boot agent run for unknown machines). */
export type DiscoveryFile = 'kernel' | 'initrd';
export function tftpDiscoveryName(file: DiscoveryFile): string {
  return `discovery/${file}`;
}
export function httpDiscoveryPath(file: DiscoveryFile): string {
  return `${httpBootPrefix}/discovery/${file}`;
}

export function httpBootloaderPath(name: string): string {
  return `${httpBootPrefix}/bootloaders/${encodeURIComponent(name)}`;
}

/** The iPXE script the DHCP service hands iPXE clients (DESIGN.md: absolute URLs only). */
export function httpIpxeScriptPath(mac: string): string {
  return `${httpBootPrefix}/ipxe/${mac}`;
}

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** pxelinux's per-host config name (pxelinux.cfg/01-aa-bb-cc-dd-ee-ff: ARP type 1, then the MAC). */
export function pxelinuxConfigName(mac: string): string {
  return `pxelinux.cfg/01-${mac.toLowerCase().replace(/:/g, '-')}`;
}

/** GRUB's per-host config name (grub/grub.cfg-01-aa-bb-cc-dd-ee-ff, as GRUB's net module asks). */
export function grubConfigName(mac: string): string {
  return `grub/grub.cfg-01-${mac.toLowerCase().replace(/:/g, '-')}`;
}

/** bootd's HTTP port when FLEETBOOT_BOOT_HTTP_PORT doesn't name one. */
export const defaultBootHttpPort = 8080;

/** The base of the URLs bootd's configs name: FLEETBOOT_BOOT_HTTP_URL, else http://<bootd's address>:<port>. */
export function bootHttpBaseUrl(configuredUrl: string | undefined, serverAddress: string, httpPort: number): string {
  return configuredUrl || `http://${serverAddress}:${httpPort}`;
}
