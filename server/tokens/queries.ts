// API tokens: created by a user for scripts, shown once, stored as sha256, revocable.
import type { ApiToken } from '@prisma/client';
import { allows, type Actor } from '../auth/actor.ts';
import { apiTokenPrefix, hashSecret, newSecret } from '../auth/secrets.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { forbidden, notFound } from '../errors.ts';
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

export async function createToken(actor: Actor, input: TokenCreate): Promise<{ token: PublicToken; secret: string }> {
  const role = input.role ?? actor.role;
  if (!allows(actor, role)) throw forbidden(`a token can't have more rights than its owner (${actor.role})`);
  const secret = newSecret(apiTokenPrefix);
  return db().$transaction(async (tx) => {
    const t = await tx.apiToken.create({
      data: {
        name: input.name,
        role,
        userId: actor.userId,
        tokenHash: hashSecret(secret),
        prefix: secret.slice(0, apiTokenPrefix.length + 6),
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      },
    });
    const { tokenHash: _h, ...rest } = t;
    await writeAudit(tx, actor, 'create', 'token', t.id, null, rest);
    return { token: { ...rest, username: actor.username }, secret };
  });
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
