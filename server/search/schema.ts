// The global search's input (GET /search).
import { z } from 'zod';

export const globalSearchQuery = z.object({
  q: z.string().trim().min(1, 'is required').max(100),
  /** hits per kind of record */
  limit: z.coerce.number().int().min(1).max(20).default(6),
}).strict();
export type GlobalSearchQuery = z.infer<typeof globalSearchQuery>;
