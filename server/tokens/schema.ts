import { z } from 'zod';
import { userRoles } from '../auth/actor.ts';

export const tokenCreate = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    role: z.enum(userRoles).optional(),
    /** omitted: the admins' default lifetime (and never past the token that makes it) */
    expiresInDays: z.coerce.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type TokenCreate = z.infer<typeof tokenCreate>;
