// Cursor pagination for list endpoints: opaque cursors (the last row's id), stable order
// (the sort column, then id as tie-breaker), a bounded page size.
import { z } from 'zod';
import { invalid } from '../errors.ts';

export const maxPageSize = 500;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(100),
  cursor: z.string().max(200).optional(),
  order: z.enum(['asc', 'desc']).default('asc'),
});

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    // Every paged table has uuid ids; anything else is forged and would reach PostgreSQL as a bad uuid.
    if (typeof parsed.id === 'string' && uuidPattern.test(parsed.id)) return parsed.id;
  } catch { /* fall through */ }
  throw invalid('cursor', 'the cursor is not one this API returned');
}

/** Prisma findMany arguments for one page; fetch limit+1 rows to know if there is a next page. */
export function pageArgs(limit: number, cursor: string | undefined) {
  const id = decodeCursor(cursor);
  return { take: limit + 1, ...(id ? { cursor: { id }, skip: 1 } : {}) };
}

export function toPage<T extends { id: string | bigint }>(rows: T[], limit: number, total?: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(String(last.id)) : null, ...(total !== undefined ? { total } : {}) };
}
