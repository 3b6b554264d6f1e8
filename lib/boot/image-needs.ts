// What an image needs from the hosts and firmware that boot it, in the operator's words: the
// artifacts and role settings its role's root mode needs (root-mode.ts), the RAM a ram root
// needs, whether UEFI Secure Boot accepts its kernel, and which firmware boot it through which
// loader. Pure: the image page, the role page (choosing the active image) and the boot doctor
// all say it from here.
import type { RoleView } from './boot-view.ts';
import { rootModeNeeds, unmetRootModeNeeds, type ImageArtifactsPresent } from './root-mode.ts';

/** Facts about an image the console measures (server/images/): absent means not known. */
export interface ImageFacts {
  /** The RAM each host needs for this image's ram root (rootfs unpacked, plus room). */
  ramNeedBytes?: number | null;
  /** Secure Boot's verdict on the kernel: null accepted, a sentence when it would refuse it. */
  secureBootRefusal?: string | null;
}

export type ImageNeedKey = 'root' | 'ram' | 'secure-boot' | 'firmware';

export interface ImageNeed {
  key: ImageNeedKey;
  title: string;
  /** true met, false unmet (it would not boot), null: said for information, or not known yet. */
  met: boolean | null;
  detail: string;
}

type RoleFacts = Pick<RoleView, 'name' | 'rootMode' | 'nfsExport' | 'diskRoot' | 'bootLoader' | 'uefiBootChain'>;

const rootModeWords = { ram: 'ram root: the agent unpacks the rootfs tarball into RAM', nfs: 'NFS root: the agent mounts the role\'s NFS export', disk: 'local disk root: the agent mounts the role\'s disk root' } as const;

export function formatMemory(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.ceil(bytes / 1024 ** 2)} MiB`;
}

export function imageNeeds(role: RoleFacts, image: ImageArtifactsPresent, facts: ImageFacts = {}): ImageNeed[] {
  const unmet = unmetRootModeNeeds(role, image);
  const wanted = rootModeNeeds(role.rootMode).map((n) => n.label).join(', ');
  const needs: ImageNeed[] = [{
    key: 'root',
    title: 'Root',
    met: unmet.length === 0,
    detail: `${rootModeWords[role.rootMode]}. Needs ${wanted}.${unmet.length ? ` Missing: ${unmet.map((n) => n.label).join(', ')}.` : ''}`,
  }];
  if (role.rootMode === 'ram') {
    needs.push(facts.ramNeedBytes
      ? { key: 'ram', title: 'RAM', met: null, detail: `Each host needs at least ${formatMemory(facts.ramNeedBytes)} of RAM: the unpacked root lives in RAM beside the kernel and the booted system.` }
      : { key: 'ram', title: 'RAM', met: null, detail: image.rootfs ? 'Measured from the rootfs shortly after upload.' : 'Known once the rootfs is uploaded (its unpacked size).' });
  }
  if (role.uefiBootChain === 'secure_boot') {
    needs.push(facts.secureBootRefusal === undefined
      ? { key: 'secure-boot', title: 'Secure Boot', met: null, detail: image.kernel ? 'Its kernel\'s signature is not checked yet.' : 'Known once the kernel is uploaded.' }
      : facts.secureBootRefusal === null
        ? { key: 'secure-boot', title: 'Secure Boot', met: true, detail: 'UEFI Secure Boot accepts its kernel (signed by a key shim trusts).' }
        : { key: 'secure-boot', title: 'Secure Boot', met: false, detail: `UEFI hosts with Secure Boot on would refuse its kernel: ${facts.secureBootRefusal}.` });
  } else if (facts.secureBootRefusal !== undefined) {
    needs.push({ key: 'secure-boot', title: 'Secure Boot', met: null, detail: facts.secureBootRefusal === null ? 'Its kernel is signed for Secure Boot, but the role boots UEFI hosts through iPXE, which needs Secure Boot off.' : 'UEFI hosts need Secure Boot off (the role boots them through unsigned iPXE, and Secure Boot would refuse the kernel too).' });
  }
  const uefi = role.uefiBootChain === 'secure_boot' ? 'UEFI PXE with Secure Boot on or off (shim → GRUB, files over TFTP; not UEFI HTTP boot)' : 'UEFI PXE or UEFI HTTP boot with Secure Boot off (iPXE)';
  needs.push({ key: 'firmware', title: 'Firmware', met: null, detail: `BIOS PXE (${role.bootLoader === 'ipxe' ? 'iPXE' : 'pxelinux'}), ${uefi}.` });
  return needs;
}

/** The needs an image does not meet, in words: "" when it meets them all (or they are not known). */
export function unmetNeedsText(needs: readonly ImageNeed[]): string {
  return needs.filter((n) => n.met === false).map((n) => n.detail).join(' ');
}
