// Registers the sample image (scripts/sample-image.ts builds its files): the three
// artifacts go into the content-addressed store, the role is created if missing (root mode
// and cmdline as given), and the image becomes the role's active image. Run again with the
// same files, it finds the same image: a newcomer can't make duplicates by retrying.
import type { PrismaClient, RootMode } from '@prisma/client';
import { storeArtifactFromFile, type StoredArtifact } from './artifact-store.ts';
import { measureRootfsArtifact } from './rootfs-measure.ts';

export interface SampleImageInput {
  dataDir: string;
  roleName: string;
  rootMode: RootMode;
  nfsExport?: string | null;
  diskRoot?: string | null;
  kernelVersion: string;
  files: { kernel: string; initrd: string; rootfs: string };
}

export interface RegisteredSampleImage {
  roleId: string;
  imageId: string;
  version: string;
  kernel: StoredArtifact;
  initrd: StoredArtifact;
  rootfs: StoredArtifact;
}

export async function registerSampleImage(prisma: PrismaClient, input: SampleImageInput): Promise<RegisteredSampleImage> {
  const kernel = await storeArtifactFromFile(prisma, input.dataDir, input.files.kernel);
  const initrd = await storeArtifactFromFile(prisma, input.dataDir, input.files.initrd);
  const rootfs = await storeArtifactFromFile(prisma, input.dataDir, input.files.rootfs);
  await measureRootfsArtifact(rootfs, prisma);
  const version = `sample-${input.kernelVersion}-${initrd.sha256.slice(0, 8)}${rootfs.sha256.slice(0, 8)}`;
  return prisma.$transaction(async (tx) => {
    const role = await tx.role.upsert({
      where: { name: input.roleName },
      create: { name: input.roleName, description: 'Fleetboot sample image: BusyBox with a tiny web page', rootMode: input.rootMode, nfsExport: input.nfsExport ?? null, diskRoot: input.diskRoot ?? null },
      update: { rootMode: input.rootMode, nfsExport: input.nfsExport ?? null, diskRoot: input.diskRoot ?? null },
    });
    const image = await tx.image.upsert({
      where: { roleId_version: { roleId: role.id, version } },
      create: { roleId: role.id, version, status: 'active', kernelSha256: kernel.sha256, initrdSha256: initrd.sha256, rootfsSha256: rootfs.sha256, createdBy: 'sample-image', notes: 'built by npm run sample-image' },
      update: { status: 'active' },
    });
    if (role.activeImageId !== image.id) {
      await tx.role.update({ where: { id: role.id }, data: { activeImageId: image.id, previousImageId: role.activeImageId } });
    }
    return { roleId: role.id, imageId: image.id, version, kernel, initrd, rootfs };
  });
}
