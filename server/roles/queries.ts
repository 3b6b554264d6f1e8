// Roles: the only code that reads or writes the Role table.
import type { Prisma, Role } from '@prisma/client';
import type { z } from 'zod';
import { allows, type Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { literalSearchTerm } from '../listing/search-term.ts';
import { pageArgs, toPage, type Page, type SortKey } from '../listing/pagination.ts';
import { removeUnusedArtifactsSoon } from '../images/unused-artifacts.ts';
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

/**
 * A role's active image changes by hand only to one that passed the health gate (verified) or
 * is already active: anything else goes through stage → gate → promote (server/lifecycle/), or
 * an admin forces a ready image past the gate (audited as such). Answers whether it was forced.
 */
async function checkActiveImage(tx: Tx, actor: Actor, roleId: string | null, imageId: string | null | undefined, force: boolean): Promise<boolean> {
  if (!imageId) return false;
  const image = await tx.image.findUnique({ where: { id: imageId } });
  if (!image || (roleId && image.roleId !== roleId)) throw invalid('activeImageId', 'must be an image of this role');
  if (image.status === 'verified' || image.status === 'active') return false;
  if (image.status !== 'ready') throw invalid('activeImageId', `image ${image.version} is ${image.status}; only a verified image (or, forced by an admin, a ready one) can be active`);
  if (!force) {
    throw conflict('activeImageId', `image ${image.version} has not passed the health gate: stage it on a spare and promote it, or an admin forces it (forceActivate: true)`);
  }
  if (!allows(actor, 'admin')) throw forbidden('only an admin may force an image past the health gate');
  return true;
}

export async function createRole(actor: Actor, input: RoleCreate): Promise<Role> {
  return db().$transaction(async (tx) => {
    if (input.activeImageId) throw invalid('activeImageId', 'a new role has no images yet');
    const r = await tx.role.create({ data: input });
    await writeAudit(tx, actor, 'create', 'role', r.id, null, r);
    return r;
  });
}

export async function updateRole(actor: Actor, id: string, { forceActivate, ...input }: RoleUpdate): Promise<Role> {
  return db().$transaction(async (tx) => {
    const before = await tx.role.findUnique({ where: { id } });
    if (!before) throw notFound('role');
    const merged = { ...before, ...input };
    roleCreate.parse({ name: merged.name, rootMode: merged.rootMode, nfsExport: merged.nfsExport, diskRoot: merged.diskRoot });
    const changesImage = input.activeImageId !== undefined && input.activeImageId !== before.activeImageId;
    const forced = changesImage && await checkActiveImage(tx, actor, id, input.activeImageId, forceActivate === true);
    const data: Prisma.RoleUncheckedUpdateInput = { ...input };
    if (changesImage) data.previousImageId = before.activeImageId;
    const after = await tx.role.update({ where: { id }, data });
    await writeAudit(tx, actor, forced ? 'force-activate' : 'update', 'role', id, before, after);
    return after;
  });
}

/**
 * A role goes only once nothing holds it (409 naming what does, as a network in use): its hosts
 * would be left without a role, an active image or one on trial is booting somewhere, and a
 * host of another role may boot one of its images by override.
 */
export async function deleteRole(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.role.findUnique({ where: { id } });
    if (!before) throw notFound('role');
    const hosts = await tx.host.count({ where: { roleId: id } });
    if (hosts > 0) throw conflict('id', `role ${before.name} still has ${hosts} host(s): give them another role or delete them first`);
    const busy = await tx.image.findFirst({ where: { roleId: id, OR: [{ status: { in: ['trial', 'active'] } }, { activeFor: { some: {} } }] }, select: { version: true, status: true } });
    if (busy) throw conflict('activeImageId', `role ${before.name} has image ${busy.version} ${busy.status === 'trial' ? 'on trial' : 'active'}: finish or cancel its stage, or clear the active image, first`);
    const override = await tx.host.findFirst({ where: { imageOverride: { roleId: id } }, select: { hostname: true, imageOverride: { select: { version: true } } } });
    if (override) throw conflict('id', `host ${override.hostname} boots image ${override.imageOverride!.version} of role ${before.name} by override: clear the override first`);
    await tx.role.delete({ where: { id } });
    await writeAudit(tx, actor, 'delete', 'role', id, before, null);
  });
  // Its images went with it: their files, unless another role's image uses them.
  removeUnusedArtifactsSoon();
}
