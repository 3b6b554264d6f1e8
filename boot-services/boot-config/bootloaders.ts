// Where the bootloaders come from (DESIGN.md: Debian packages, or a configured directory),
// and which are missing. Looked up once at start; the status is exported so the console can
// show "pxelinux.0 missing: apt-get install pxelinux" instead of a host that never boots.
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface BootloaderSpec {
  name: string;
  /** The Debian package that ships it. */
  debianPackage: string;
  /** Where that package puts it. */
  debianPaths: string[];
  /** Needed by the boot paths bootd offers (DHCP hands out these names). */
  required: boolean;
  purpose: string;
}

export const knownBootloaders: readonly BootloaderSpec[] = [
  { name: 'pxelinux.0', debianPackage: 'pxelinux', debianPaths: ['/usr/lib/PXELINUX/pxelinux.0'], required: true, purpose: 'BIOS PXE boot with pxelinux' },
  { name: 'lpxelinux.0', debianPackage: 'pxelinux', debianPaths: ['/usr/lib/PXELINUX/lpxelinux.0'], required: false, purpose: 'pxelinux with HTTP' },
  { name: 'ldlinux.c32', debianPackage: 'syslinux-common', debianPaths: ['/usr/lib/syslinux/modules/bios/ldlinux.c32'], required: true, purpose: 'pxelinux core module' },
  { name: 'undionly.kpxe', debianPackage: 'ipxe', debianPaths: ['/usr/lib/ipxe/undionly.kpxe'], required: true, purpose: 'BIOS PXE chain to iPXE' },
  { name: 'ipxe.efi', debianPackage: 'ipxe', debianPaths: ['/usr/lib/ipxe/ipxe.efi', '/boot/ipxe.efi'], required: true, purpose: 'UEFI iPXE with its own drivers' },
  { name: 'snponly.efi', debianPackage: 'ipxe', debianPaths: ['/usr/lib/ipxe/snponly.efi'], required: true, purpose: 'UEFI iPXE on the firmware network driver' },
  { name: 'memtest86+x64.bin', debianPackage: 'memtest86+', debianPaths: ['/boot/memtest86+x64.bin'], required: false, purpose: 'one-shot memtest boot override' },
  { name: 'shimx64.efi', debianPackage: 'shim-signed', debianPaths: ['/usr/lib/shim/shimx64.efi.signed'], required: false, purpose: 'UEFI Secure Boot first stage' },
  { name: 'grubx64.efi', debianPackage: 'grub-efi-amd64-signed', debianPaths: ['/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'], required: false, purpose: 'UEFI Secure Boot GRUB (network build)' },
];

/** Debian's directory of pxelinux's other BIOS modules (menu.c32, libutil.c32, ...). */
export const syslinuxBiosModulesDir = '/usr/lib/syslinux/modules/bios';

export interface BootloaderStatus {
  name: string;
  path: string | null;
  required: boolean;
  purpose: string;
  /** For a missing one: what to do about it, in the operator's words. */
  problem: string | null;
}

async function readable(file: string): Promise<boolean> {
  try {
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds each known bootloader: configured directories first, then its Debian paths. */
export async function findBootloaders(configuredDirs: readonly string[], specs: readonly BootloaderSpec[] = knownBootloaders): Promise<BootloaderStatus[]> {
  const found: BootloaderStatus[] = [];
  for (const spec of specs) {
    let hit: string | null = null;
    for (const candidate of [...configuredDirs.map((dir) => path.join(dir, spec.name)), ...spec.debianPaths]) {
      if (await readable(candidate)) {
        hit = candidate;
        break;
      }
    }
    const where = [...configuredDirs, ...spec.debianPaths].join(', ');
    found.push({
      name: spec.name,
      path: hit,
      required: spec.required,
      purpose: spec.purpose,
      problem: hit ? null : `${spec.name} not found (looked in ${where}): install the Debian package ${spec.debianPackage} or put the file in a configured bootloader directory`,
    });
  }
  return found;
}

/** The bootloaders bootd serves by name; missing ones are absent. */
export function bootloaderPaths(statuses: readonly BootloaderStatus[]): Map<string, string> {
  const paths = new Map<string, string>();
  for (const s of statuses) if (s.path) paths.set(s.name, s.path);
  return paths;
}

/**
 * Whether the Secure Boot chain can be served: shim and the signed GRUB it loads. Then machines
 * without a role get it on UEFI (it boots with Secure Boot on or off; iPXE only with it off).
 */
export function signedUefiChainInstalled(statuses: readonly BootloaderStatus[]): boolean {
  const present = new Set(statuses.filter((s) => s.path).map((s) => s.name));
  return present.has('shimx64.efi') && present.has('grubx64.efi');
}
