// What each root mode needs before a host of the role can boot (DESIGN.md "The boot"): every
// mode starts the image's kernel with the agent's initrd; ram then fetches the rootfs tarball
// into tmpfs, nfs mounts the role's export, disk mounts the role's local disk root. Pure: the
// boot doctor and the image page both say it from here.
import type { RoleView, RootMode } from './boot-view.ts';

/** An image as far as its root mode cares: which artifacts it has (the view's, or the database row's). */
export type ImageArtifactsPresent = Record<'kernel' | 'initrd' | 'rootfs', object | null>;

export interface RootModeNeed {
  /** An image artifact, or a setting of the role. */
  what: 'kernel' | 'initrd' | 'rootfs' | 'nfsExport' | 'diskRoot';
  /** The operator's words, e.g. "the rootfs tarball (fetched into RAM by the agent)". */
  label: string;
}

const needs: Record<RootMode, readonly RootModeNeed[]> = {
  ram: [
    { what: 'kernel', label: 'kernel' },
    { what: 'initrd', label: 'initrd (the boot agent)' },
    { what: 'rootfs', label: 'rootfs tarball (the agent unpacks it into RAM)' },
  ],
  nfs: [
    { what: 'kernel', label: 'kernel' },
    { what: 'initrd', label: 'initrd (the boot agent, with the NFS modules)' },
    { what: 'nfsExport', label: 'the role\'s NFS export (server:/path)' },
  ],
  disk: [
    { what: 'kernel', label: 'kernel' },
    { what: 'initrd', label: 'initrd (the boot agent)' },
    { what: 'diskRoot', label: 'the role\'s disk root (e.g. /dev/vda1)' },
  ],
};

export function rootModeNeeds(rootMode: RootMode): readonly RootModeNeed[] {
  return needs[rootMode];
}

/** The needs of `role`'s root mode that `image` and the role don't meet, in boot order. */
export function unmetRootModeNeeds(role: Pick<RoleView, 'rootMode' | 'nfsExport' | 'diskRoot'>, image: ImageArtifactsPresent): RootModeNeed[] {
  return needs[role.rootMode].filter((n) => {
    switch (n.what) {
      case 'kernel':
      case 'initrd':
      case 'rootfs':
        return image[n.what] === null;
      case 'nfsExport':
        return !role.nfsExport;
      case 'diskRoot':
        return !role.diskRoot;
    }
  });
}
