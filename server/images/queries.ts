// Images: the only code that reads or writes the Image table.
import type { Image, Prisma } from '@prisma/client';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { pageArgs, toPage, type Page, type SortKey } from '../listing/pagination.ts';
import type { ImageCreate, imageListQuery, ImageUpdate } from './schema.ts';
import { removeUnusedArtifactsSoon } from './unused-artifacts.ts';

const withArtifacts = { kernel: true, initrd: true, rootfs: true, role: { select: { name: true, uefiBootChain: true } } } as const;
export type ImageWithArtifacts = Prisma.ImageGetPayload<{ include: typeof withArtifacts }>;

export async function listImages(q: z.infer<typeof imageListQuery> & { limit: number; cursor?: string; order: 'asc' | 'desc' }): Promise<Page<ImageWithArtifacts>> {
  const where: Prisma.ImageWhereInput = { ...(q.roleId ? { roleId: q.roleId } : {}), ...(q.status ? { status: q.status } : {}) };
  const sort: SortKey = { field: q.sort, order: q.order, date: q.sort === 'createdAt' };
  const rows = await db().image.findMany({ include: withArtifacts, ...pageArgs(where, sort, q.limit, q.cursor) });
  return toPage(rows, q.limit, await db().image.count({ where }), sort);
}

export async function getImageOrThrow(id: string): Promise<ImageWithArtifacts> {
  const i = await db().image.findUnique({ where: { id }, include: withArtifacts });
  if (!i) throw notFound('image');
  return i;
}

export async function createImage(actor: Actor, input: ImageCreate): Promise<Image> {
  return db().$transaction(async (tx) => {
    const role = await tx.role.findUnique({ where: { id: input.roleId } });
    if (!role) throw invalid('roleId', 'no such role');
    const dup = await tx.image.findUnique({ where: { roleId_version: { roleId: input.roleId, version: input.version } } });
    if (dup) throw conflict('version', `role ${role.name} already has an image ${input.version}`);
    const i = await tx.image.create({ data: { ...input, createdBy: actor.username } });
    await writeAudit(tx, actor, 'create', 'image', i.id, null, i);
    return i;
  });
}

export async function updateImage(actor: Actor, id: string, input: ImageUpdate): Promise<Image> {
  return db().$transaction(async (tx) => {
    const before = await tx.image.findUnique({ where: { id } });
    if (!before) throw notFound('image');
    if (input.status === 'ready' && !(before.kernelSha256 && before.initrdSha256)) {
      throw invalid('status', 'an image is ready only once its kernel and initrd are uploaded');
    }
    const after = await tx.image.update({ where: { id }, data: input });
    await writeAudit(tx, actor, 'update', 'image', id, before, after);
    return after;
  });
}

export async function deleteImage(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.image.findUnique({ where: { id }, include: { activeFor: { select: { name: true } } } });
    if (!before) throw notFound('image');
    if (before.activeFor.length > 0) throw conflict('id', `image ${before.version} is active for role ${before.activeFor[0]!.name}`);
    await tx.image.delete({ where: { id } });
    await writeAudit(tx, actor, 'delete', 'image', id, before, null);
  });
  // Its files, unless another image uses them.
  removeUnusedArtifactsSoon();
}
