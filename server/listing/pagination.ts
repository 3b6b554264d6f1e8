// Cursor pagination for list endpoints: opaque cursors (the last row's id and sort value),
// stable order (the sort column, then id as tie-breaker), a bounded page size.
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

/** The column a list is ordered by; id breaks ties. */
export interface SortKey {
  field: string;
  order: 'asc' | 'desc';
  /**
   * The column can be NULL. NULLs sort last in both orders: "last seen, newest first" must not
   * open with every never-seen host (PostgreSQL's default puts NULLs first when descending).
   */
  nullable?: boolean;
  date?: boolean;
  /** An enum column: PostgreSQL orders it by declaration, and Prisma has no gt/lt for enums. */
  enumOrder?: readonly string[];
}

type CursorKey = string | null;

/** The cursor holds the last row's id and sort value, so the next page never depends on that row still existing. */
export function encodeCursor(id: string, key?: unknown): string {
  const k: CursorKey | undefined = key === undefined ? undefined : key === null ? null : key instanceof Date ? key.toISOString() : String(key);
  return Buffer.from(JSON.stringify(k === undefined ? { id } : { id, k })).toString('base64url');
}

const notOurs = () => invalid('cursor', 'the cursor is not one this API returned');

export function readCursor(cursor: string | undefined): { id: string; k?: CursorKey } | undefined {
  if (!cursor) return undefined;
  let parsed: { id?: unknown; k?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown; k?: unknown };
  } catch {
    throw notOurs();
  }
  // Every paged table has uuid ids; anything else is forged and would reach PostgreSQL as a bad uuid.
  if (typeof parsed?.id !== 'string' || !uuidPattern.test(parsed.id)) throw notOurs();
  if (parsed.k !== undefined && parsed.k !== null && typeof parsed.k !== 'string') throw notOurs();
  return parsed.k === undefined ? { id: parsed.id } : { id: parsed.id, k: parsed.k };
}

/**
 * The rows after the cursor in (sort, id) order, compared by value (keyset). Prisma's own
 * cursor needs the cursor's row to exist: when a script's last-seen host was deleted between
 * two pages, the next page came back empty with nextCursor null, and the walk ended early.
 */
function afterCursor(sort: SortKey, cursor: string | undefined): Record<string, unknown> | undefined {
  const c = readCursor(cursor);
  if (!c) return undefined;
  const k = c.k;
  if (k === undefined) throw notOurs();
  const f = sort.field;
  const asc = sort.order === 'asc';
  const idAfter = { id: asc ? { gt: c.id } : { lt: c.id } };
  if (k === null) {
    if (!sort.nullable) throw notOurs();
    // NULLs come last: past a NULL key only NULLs remain, in id order.
    return { AND: [{ [f]: null }, idAfter] };
  }
  let value: unknown = k;
  let beyond: Record<string, unknown>;
  if (sort.enumOrder) {
    const at = sort.enumOrder.indexOf(k);
    if (at < 0) throw notOurs();
    beyond = { [f]: { in: sort.enumOrder.filter((_, i) => (asc ? i > at : i < at)) } };
  } else {
    if (sort.date) {
      value = new Date(k);
      if (Number.isNaN((value as Date).getTime())) throw notOurs();
    }
    beyond = { [f]: asc ? { gt: value } : { lt: value } };
  }
  const clauses: Record<string, unknown>[] = [beyond, { AND: [{ [f]: value }, idAfter] }];
  if (sort.nullable) clauses.push({ [f]: null });
  return { OR: clauses };
}

/** Prisma findMany arguments for one page; fetch limit+1 rows to know if there is a next page. */
export function pageArgs<W extends object>(where: W, sort: SortKey, limit: number, cursor: string | undefined) {
  const after = afterCursor(sort, cursor);
  return {
    where: (after ? { AND: [where, after] } : where) as W,
    orderBy: [{ [sort.field]: sort.nullable ? { sort: sort.order, nulls: 'last' as const } : sort.order }, { id: sort.order }],
    take: limit + 1,
  };
}

export function toPage<T extends { id: string | bigint }>(rows: T[], limit: number, total: number | undefined, sort: SortKey): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  const key = last ? (last as Record<string, unknown>)[sort.field] : undefined;
  return { items, nextCursor: more && last ? encodeCursor(String(last.id), key ?? null) : null, ...(total !== undefined ? { total } : {}) };
}
