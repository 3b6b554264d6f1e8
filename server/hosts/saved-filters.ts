// Saved filters: a user's named views of the hosts list. Each is the list's query string, so it
// opens as a URL (/hosts?<query>) that anyone signed in can be sent; the names list is per user.
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, notFound } from '../errors.ts';
import type { SavedFilterCreate } from './saved-filter-schema.ts';

export interface SavedFilterView { id: string; name: string; query: string; href: string; createdAt: Date }

const view = (f: { id: string; name: string; query: string; createdAt: Date }): SavedFilterView => ({ id: f.id, name: f.name, query: f.query, href: f.query ? `/hosts?${f.query}` : '/hosts', createdAt: f.createdAt });

export async function listSavedFilters(userId: string): Promise<{ items: SavedFilterView[] }> {
  const rows = await db().savedFilter.findMany({ where: { userId }, orderBy: { name: 'asc' } });
  return { items: rows.map(view) };
}

export async function saveFilter(actor: Actor, input: SavedFilterCreate): Promise<SavedFilterView> {
  return db().$transaction(async (tx) => {
    const same = await tx.savedFilter.findFirst({ where: { userId: actor.userId, name: { equals: input.name, mode: 'insensitive' } }, select: { id: true } });
    if (same) throw conflict('name', `you already have a filter named ${input.name}`);
    const row = await tx.savedFilter.create({ data: { userId: actor.userId, name: input.name, query: input.query } });
    await writeAudit(tx, actor, 'create', 'saved-filter', row.id, null, row);
    return view(row);
  });
}

/** Only its owner deletes a saved filter; another user's is not found (its existence is not theirs to learn). */
export async function deleteSavedFilter(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.savedFilter.findUnique({ where: { id } });
    if (!row || row.userId !== actor.userId) throw notFound('saved filter');
    await tx.savedFilter.delete({ where: { id } });
    await writeAudit(tx, actor, 'delete', 'saved-filter', id, row, null);
  });
}
