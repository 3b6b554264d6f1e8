// Sign-in sessions (httpOnly cookie holding a random secret; the database keeps its sha256)
// and bearer API tokens. Both resolve to an Actor.
import { db } from '../db/client.ts';
import { DomainError, unauthorized } from '../errors.ts';
import { rank, type Actor } from './actor.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { forgiveSignInAttempt, takeSignInAttempt } from './sign-in-throttle.ts';
import { apiTokenPrefix, hashSecret, newSecret } from './secrets.ts';

export const sessionCookieName = 'fleetboot_session';
export const sessionSeconds = 12 * 3600;

let dummyHash: Promise<string> | undefined;

/**
 * Checks a user name and password from `address`. Throttled per name and per address
 * (sign-in-throttle.ts); an unknown or disabled user's attempt costs the same scrypt as a real
 * one (against a dummy hash), so neither the answer nor its time tells which names exist.
 */
export async function signIn(username: string, password: string, address = 'unknown'): Promise<{ secret: string; actor: Actor; expiresAt: Date }> {
  await takeSignInAttempt(username, address);
  const user = await db().user.findUnique({ where: { username } });
  dummyHash ??= hashPassword(newSecret());
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
  if (!user || user.disabled || !passwordOk) throw new DomainError('unauthorized', 'wrong username or password', 'password');
  await forgiveSignInAttempt(username, address);
  const { secret, expiresAt } = await startSession(user.id);
  return { secret, actor: { kind: 'user', userId: user.id, username: user.username, role: user.role }, expiresAt };
}

/** A new session for a user (after a password change ended all of theirs, the browser that made it keeps one). */
export async function startSession(userId: string): Promise<{ secret: string; expiresAt: Date }> {
  const secret = newSecret();
  const expiresAt = new Date(Date.now() + sessionSeconds * 1000);
  await db().userSession.create({ data: { tokenHash: hashSecret(secret), userId, expiresAt } });
  return { secret, expiresAt };
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
  if (!token || token.revokedAt || token.expiresAt < new Date() || token.user.disabled) return null;
  // last-used is informative: don't make every API call wait for it.
  void db().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  // A token never has more rights than its owner has now: demoting the owner demotes the token.
  const role = rank[token.user.role] < rank[token.role] ? token.user.role : token.role;
  return { kind: 'token', userId: token.user.id, username: token.user.username, role, tokenId: token.id, tokenName: token.name, tokenExpiresAt: token.expiresAt };
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
