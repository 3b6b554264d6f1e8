// Sign-in sessions (httpOnly cookie holding a random secret; the database keeps its sha256)
// and bearer API tokens. Both resolve to an Actor.
import { db } from '../db/client.ts';
import { DomainError, unauthorized } from '../errors.ts';
import { rank, type Actor } from './actor.ts';
import { verifyPassword } from './passwords.ts';
import { apiTokenPrefix, hashSecret, newSecret } from './secrets.ts';

export const sessionCookieName = 'fleetboot_session';
export const sessionSeconds = 12 * 3600;

export async function signIn(username: string, password: string): Promise<{ secret: string; actor: Actor; expiresAt: Date }> {
  const user = await db().user.findUnique({ where: { username } });
  // Same answer for an unknown user and a wrong password: no user enumeration.
  if (!user || user.disabled || !(await verifyPassword(password, user.passwordHash))) {
    throw new DomainError('unauthorized', 'wrong username or password', 'password');
  }
  const secret = newSecret();
  const expiresAt = new Date(Date.now() + sessionSeconds * 1000);
  await db().userSession.create({ data: { tokenHash: hashSecret(secret), userId: user.id, expiresAt } });
  return { secret, actor: { kind: 'user', userId: user.id, username: user.username, role: user.role }, expiresAt };
}

export async function signOut(secret: string): Promise<void> {
  await db().userSession.deleteMany({ where: { tokenHash: hashSecret(secret) } });
}

export async function findActorBySession(secret: string | undefined): Promise<Actor | null> {
  if (!secret) return null;
  const session = await db().userSession.findUnique({ where: { tokenHash: hashSecret(secret) }, include: { user: true } });
  if (!session || session.expiresAt < new Date() || session.user.disabled) return null;
  return { kind: 'user', userId: session.user.id, username: session.user.username, role: session.user.role };
}

export async function findActorByToken(secret: string): Promise<Actor | null> {
  if (!secret.startsWith(apiTokenPrefix)) return null;
  const token = await db().apiToken.findUnique({ where: { tokenHash: hashSecret(secret) }, include: { user: true } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt < new Date()) || token.user.disabled) return null;
  // last-used is informative: don't make every API call wait for it.
  void db().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  // A token never has more rights than its owner has now: demoting the owner demotes the token.
  const role = rank[token.user.role] < rank[token.role] ? token.user.role : token.role;
  return { kind: 'token', userId: token.user.id, username: token.user.username, role, tokenId: token.id, tokenName: token.name };
}

/** Resolves the actor of a request from `Authorization: Bearer` or the session cookie. */
export async function actorFromRequest(headers: Headers, cookie: string | undefined): Promise<Actor> {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const actor = m?.[1] ? await findActorByToken(m[1]) : null;
    if (!actor) throw unauthorized('the API token is invalid, expired or revoked');
    return actor;
  }
  const actor = await findActorBySession(cookie);
  if (!actor) throw unauthorized();
  return actor;
}

export { newSecret };
