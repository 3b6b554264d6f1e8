// A saved hosts-list filter (POST /saved-filters): a name and the list's query string, checked
// with the list's own schema so a saved filter always opens.
import { z } from 'zod';
import { hostListQuery } from './schema.ts';

/** What a saved query may hold besides the filter: its order and page size (never a cursor). */
const viewKeys = ['sort', 'order', 'limit'] as const;
const queryKeys: readonly string[] = [...Object.keys(hostListQuery.shape), ...viewKeys];

export const savedFilterCreate = z
  .object({
    name: z.string().trim().min(1, 'is required').max(64),
    /** the hosts list's query string, e.g. role=web&state=failed */
    query: z.string().trim().max(1000).transform((s) => s.replace(/^\?/, '')),
  })
  .strict()
  .superRefine((f, ctx) => {
    const params = new URLSearchParams(f.query);
    const unknown = [...params.keys()].filter((k) => !queryKeys.includes(k));
    if (unknown.length) return ctx.addIssue({ code: 'custom', path: ['query'], message: `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}` });
    const { sort: _s, order, limit, ...filter } = Object.fromEntries(params);
    const parsed = hostListQuery.safeParse({ ...filter, ...(_s ? { sort: _s } : {}) });
    if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['query'], message: `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}` });
    if (order && order !== 'asc' && order !== 'desc') ctx.addIssue({ code: 'custom', path: ['query'], message: 'order: must be asc or desc' });
    if (limit && !/^\d{1,3}$/.test(limit)) ctx.addIssue({ code: 'custom', path: ['query'], message: 'limit: must be a number' });
  });
export type SavedFilterCreate = z.infer<typeof savedFilterCreate>;
