// API tokens: created by a user for scripts, shown once, stored as sha256, revocable.
import type { ApiToken, Prisma } from '@prisma/client';
import { allows, type Actor } from '../auth/actor.ts';
import { apiTokenPrefix, hashSecret, newSecret } from '../auth/secrets.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { forbidden, invalid, notFound } from '../errors.ts';
import { getConsoleSettings } from '../settings/queries.ts';
import type { TokenCreate } from './schema.ts';

export type PublicToken = Omit<ApiToken, 'tokenHash'> & { username: string };

export async function listTokens(actor: Actor): Promise<PublicToken[]> {
  const rows = await db().apiToken.findMany({
    where: actor.role === 'admin' ? {} : { userId: actor.userId },
    orderBy: { createdAt: 'desc' },
    include: { user: { select: { username: true } } },
  });
  return rows.map(({ tokenHash: _h, user, ...t }) => ({ ...t, username: user.username }));
}

/**
 * When a new token expires: the asked number of days (at most the admins' maximum) or the
 * default; made by a token, never after that token (asked for longer: refused, defaulted: cut).
 */
export async function newTokenExpiry(actor: Actor, expiresInDays: number | undefined, now = new Date()): Promise<Date> {
  const settings = await getConsoleSettings();
  if (expiresInDays !== undefined && expiresInDays > settings.tokenMaxDays) throw invalid('expiresInDays', `must be at most ${settings.tokenMaxDays} days (the admins' maximum)`);
  const expiresAt = new Date(now.getTime() + (expiresInDays ?? settings.tokenDefaultDays) * 86_400_000);
  const parent = actor.kind === 'token' ? actor.tokenExpiresAt : undefined;
  if (parent && expiresAt > parent) {
    if (expiresInDays !== undefined) throw invalid('expiresInDays', `a token can't make a token that outlives it: this one expires ${parent.toISOString()}`);
    return parent;
  }
  return expiresAt;
}

export async function createToken(actor: Actor, input: TokenCreate): Promise<{ token: PublicToken; secret: string }> {
  const role = input.role ?? actor.role;
  if (!allows(actor, role)) throw forbidden(`a token can't have more rights than its owner (${actor.role})`);
  const expiresAt = await newTokenExpiry(actor, input.expiresInDays);
  const secret = newSecret(apiTokenPrefix);
  return db().$transaction(async (tx) => {
    const t = await tx.apiToken.create({
      data: {
        name: input.name,
        role,
        userId: actor.userId,
        tokenHash: hashSecret(secret),
        prefix: secret.slice(0, apiTokenPrefix.length + 6),
        expiresAt,
      },
    });
    const { tokenHash: _h, ...rest } = t;
    await writeAudit(tx, actor, 'create', 'token', t.id, null, rest);
    return { token: { ...rest, username: actor.username }, secret };
  });
}

/**
 * A password change or a disable ends everything that signs in as the user: their sessions are
 * deleted and their tokens revoked (enabling the user again revives none). Returns how many
 * tokens were revoked, for the audit row.
 */
export async function revokeUserCredentials(tx: Prisma.TransactionClient, userId: string, now = new Date()): Promise<{ sessions: number; tokens: number }> {
  const sessions = await tx.userSession.deleteMany({ where: { userId } });
  const tokens = await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  return { sessions: sessions.count, tokens: tokens.count };
}

export async function revokeToken(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const t = await tx.apiToken.findUnique({ where: { id } });
    if (!t || (actor.role !== 'admin' && t.userId !== actor.userId)) throw notFound('token');
    if (t.revokedAt) return;
    const { tokenHash: _h, ...before } = t;
    const after = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    const { tokenHash: _h2, ...afterPublic } = after;
    await writeAudit(tx, actor, 'revoke', 'token', id, before, afterPublic);
  });
}
