// Boot events (read side): newest first, paged by seq.
import type { BootEvent, Prisma } from '@prisma/client';
import { db } from '../db/client.ts';
import type { EventListQuery } from './schema.ts';

export type EventRow = BootEvent & { hostname: string | null };

export async function listEvents(q: EventListQuery): Promise<{ items: EventRow[]; nextBefore: string | null }> {
  const where: Prisma.BootEventWhereInput = {
    ...(q.hostId ? { hostId: q.hostId } : {}),
    ...(q.mac ? { mac: q.mac } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.since ? { at: { gte: new Date(q.since) } } : {}),
    ...(q.before !== undefined ? { seq: { lt: q.before } } : {}),
  };
  const rows = await db().bootEvent.findMany({ where, orderBy: { seq: 'desc' }, take: q.limit + 1, include: { host: { select: { hostname: true } } } });
  const more = rows.length > q.limit;
  const items = (more ? rows.slice(0, q.limit) : rows).map(({ host, ...e }) => ({ ...e, hostname: host?.hostname ?? null }));
  return { items, nextBefore: more ? String(items[items.length - 1]!.seq) : null };
}
