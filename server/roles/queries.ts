// Roles: the only code that reads or writes the Role table.
import type { Prisma, Role } from '@prisma/client';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { invalid, notFound } from '../errors.ts';
import { literalSearchTerm } from '../listing/search-term.ts';
import { pageArgs, toPage, type Page, type SortKey } from '../listing/pagination.ts';
import { roleCreate, type RoleCreate, type roleListQuery, type RoleUpdate } from './schema.ts';

type Tx = Prisma.TransactionClient;

export async function listRoles(q: z.infer<typeof roleListQuery> & { limit: number; cursor?: string; order: 'asc' | 'desc' }): Promise<Page<Role & { hostCount: number; activeImageVersion: string | null }>> {
  const where: Prisma.RoleWhereInput = q.q ? { name: { contains: literalSearchTerm(q.q), mode: 'insensitive' } } : {};
  const sort: SortKey = { field: q.sort, order: q.order, date: q.sort === 'createdAt' };
  const rows = await db().role.findMany({
    include: { _count: { select: { hosts: true } }, activeImage: { select: { version: true } } },
    ...pageArgs(where, sort, q.limit, q.cursor),
  });
  const page = toPage(rows, q.limit, await db().role.count({ where }), sort);
  return { ...page, items: page.items.map(({ _count, activeImage, ...r }) => ({ ...r, hostCount: _count.hosts, activeImageVersion: activeImage?.version ?? null })) };
}

export async function getRoleOrThrow(id: string): Promise<Role> {
  const r = await db().role.findUnique({ where: { id } });
  if (!r) throw notFound('role');
  return r;
}

export async function findRoleByName(name: string): Promise<Role | null> {
  return db().role.findUnique({ where: { name } });
}

async function checkActiveImage(tx: Tx, roleId: string | null, imageId: string | null | undefined): Promise<void> {
  if (!imageId) return;
  const image = await tx.image.findUnique({ where: { id: imageId } });
  if (!image || (roleId && image.roleId !== roleId)) throw invalid('activeImageId', 'must be an image of this role');
  if (!['ready', 'verified', 'active'].includes(image.status)) throw invalid('activeImageId', `image ${image.version} is ${image.status}; only a ready, verified or active image can be active`);
}

export async function createRole(actor: Actor, input: RoleCreate): Promise<Role> {
  return db().$transaction(async (tx) => {
    if (input.activeImageId) throw invalid('activeImageId', 'a new role has no images yet');
    const r = await tx.role.create({ data: input });
    await writeAudit(tx, actor, 'create', 'role', r.id, null, r);
    return r;
  });
}

export async function updateRole(actor: Actor, id: string, input: RoleUpdate): Promise<Role> {
  return db().$transaction(async (tx) => {
    const before = await tx.role.findUnique({ where: { id } });
    if (!before) throw notFound('role');
    const merged = { ...before, ...input };
    roleCreate.parse({ name: merged.name, rootMode: merged.rootMode, nfsExport: merged.nfsExport, diskRoot: merged.diskRoot });
    await checkActiveImage(tx, id, input.activeImageId);
    const data: Prisma.RoleUncheckedUpdateInput = { ...input };
    if (input.activeImageId !== undefined && input.activeImageId !== before.activeImageId) data.previousImageId = before.activeImageId;
    const after = await tx.role.update({ where: { id }, data });
    await writeAudit(tx, actor, 'update', 'role', id, before, after);
    return after;
  });
}

export async function deleteRole(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.role.findUnique({ where: { id } });
    if (!before) throw notFound('role');
    await tx.role.delete({ where: { id } });
    await writeAudit(tx, actor, 'delete', 'role', id, before, null);
  });
}
