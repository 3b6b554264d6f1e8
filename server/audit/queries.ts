// Audit log (read side): newest first, paged by id.
import type { AuditLog, Prisma } from '@prisma/client';
import { z } from 'zod';
import { db } from '../db/client.ts';

export const auditListQuery = z.object({
  entity: z.string().max(32).optional(),
  entityId: z.string().max(64).optional(),
  actor: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.bigint().optional(),
});
export type AuditListQuery = z.infer<typeof auditListQuery>;

export async function listAudit(q: AuditListQuery): Promise<{ items: AuditLog[]; nextBefore: string | null }> {
  const where: Prisma.AuditLogWhereInput = {
    ...(q.entity ? { entity: q.entity } : {}),
    ...(q.entityId ? { entityId: q.entityId } : {}),
    ...(q.actor ? { actor: { contains: q.actor } } : {}),
    ...(q.before !== undefined ? { id: { lt: q.before } } : {}),
  };
  const rows = await db().auditLog.findMany({ where, orderBy: { id: 'desc' }, take: q.limit + 1 });
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  return { items, nextBefore: more ? String(items[items.length - 1]!.id) : null };
}
