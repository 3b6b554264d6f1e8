// Users: the only code that reads or writes the User table.
import type { User } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { forgiveSignInAttempt, takeSignInAttempt } from '../auth/sign-in-throttle.ts';
import { revokeUserCredentials } from '../tokens/queries.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import type { PasswordChange, UserCreate, UserUpdate } from './schema.ts';

export type PublicUser = Omit<User, 'passwordHash'>;
const toPublic = ({ passwordHash: _p, ...u }: User): PublicUser => u;

export async function listUsers(): Promise<PublicUser[]> {
  return (await db().user.findMany({ orderBy: { username: 'asc' } })).map(toPublic);
}

export async function createUser(actor: Actor, input: UserCreate): Promise<PublicUser> {
  return db().$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username } })) throw conflict('username', `user ${input.username} already exists`);
    const u = await tx.user.create({ data: { username: input.username, role: input.role, passwordHash: await hashPassword(input.password) } });
    await writeAudit(tx, actor, 'create', 'user', u.id, null, toPublic(u));
    return toPublic(u);
  });
}

export async function updateUser(actor: Actor, id: string, input: UserUpdate): Promise<PublicUser> {
  return db().$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id } });
    if (!before) throw notFound('user');
    const demotes = (input.role && input.role !== 'admin') || input.disabled === true;
    if (before.role === 'admin' && demotes) {
      const admins = await tx.user.count({ where: { role: 'admin', disabled: false } });
      if (admins <= 1) throw invalid(input.role ? 'role' : 'disabled', 'this is the last admin: make another admin first');
    }
    const after = await tx.user.update({
      where: { id },
      data: { role: input.role, disabled: input.disabled, ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}) },
    });
    // A disabled user or a new password ends every open session and revokes every token.
    const revoked = input.disabled || input.password ? await revokeUserCredentials(tx, id) : null;
    await writeAudit(tx, actor, 'update', 'user', id, toPublic(before), { ...toPublic(after), ...(input.password ? { password: 'changed' } : {}), ...(revoked ? { revoked } : {}) });
    return toPublic(after);
  });
}

/**
 * A signed-in user changes their own password (any role; a token can't). The current password
 * is checked under the sign-in throttle (a stolen session can't guess it fast); then every
 * session and token of the user ends, and the caller starts a new session for this browser.
 */
export async function changeOwnPassword(actor: Actor, input: PasswordChange, address: string): Promise<void> {
  if (actor.kind !== 'user') throw forbidden('an API token can\'t change a password: sign in with it');
  await takeSignInAttempt(actor.username, address);
  const user = await db().user.findUnique({ where: { id: actor.userId } });
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) throw invalid('currentPassword', 'is not your current password');
  await forgiveSignInAttempt(actor.username, address);
  const passwordHash = await hashPassword(input.newPassword);
  await db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const revoked = await revokeUserCredentials(tx, user.id);
    await writeAudit(tx, actor, 'change-password', 'user', user.id, null, { username: user.username, revoked });
  });
}

/**
 * First start: create the admin. The password comes from FLEETBOOT_ADMIN_PASSWORD or is
 * generated and returned once so the supervisor can print it.
 */
export async function ensureFirstAdmin(password: string | undefined, generate: () => string): Promise<{ username: string; password: string } | null> {
  if ((await db().user.count()) > 0) return null;
  const username = process.env.FLEETBOOT_ADMIN_USER || 'admin';
  const secret = password || generate();
  await db().$transaction(async (tx) => {
    const u = await tx.user.create({ data: { username, role: 'admin', passwordHash: await hashPassword(secret) } });
    await tx.auditLog.create({ data: { actor: 'fleetboot', action: 'create', entity: 'user', entityId: u.id, after: { username, role: 'admin', firstAdmin: true } } });
  });
  return { username, password: secret };
}
