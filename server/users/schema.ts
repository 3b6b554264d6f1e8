import { z } from 'zod';
import { userRoles } from '../auth/actor.ts';

const password = z.string().min(10, 'must be at least 10 characters').max(200);
const username = z.string().trim().min(2).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits and . _ -');

export const userCreate = z.object({ username, password, role: z.enum(userRoles) }).strict();
export const userUpdate = z.object({ password: password.optional(), role: z.enum(userRoles).optional(), disabled: z.boolean().optional() }).strict();
/** `next`: where the browser goes afterwards; the answer names it, reduced to a console path. */
export const signInInput = z.object({ username: z.string().min(1, 'is required'), password: z.string().min(1, 'is required'), next: z.string().max(2048).optional() }).strict();
/** POST /auth/password: any signed-in user changes their own password. */
export const passwordChange = z.object({ currentPassword: z.string().min(1, 'is required'), newPassword: password }).strict();
export type PasswordChange = z.infer<typeof passwordChange>;
export type UserCreate = z.infer<typeof userCreate>;
export type UserUpdate = z.infer<typeof userUpdate>;
