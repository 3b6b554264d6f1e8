// The sign-in throttle's keys as admins see them on the Users page, and their unlock (audited).
// Attempts are counted by server/auth/sign-in-throttle.ts.
import type { Actor } from '../auth/actor.ts';
import type { SignInThrottleRow } from '../auth/sign-in-throttle.ts';
import { addressThrottlePolicy, userThrottlePolicy } from '../auth/throttle-policy.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { notFound } from '../errors.ts';

/** Keys an admin should see: failures in the window, a pending delay or a lock. */
export async function listSignInThrottles(now = new Date()): Promise<SignInThrottleRow[]> {
  const since = new Date(now.getTime() - Math.max(userThrottlePolicy().windowSeconds, addressThrottlePolicy().windowSeconds) * 1000);
  const rows = await db().signInThrottle.findMany({
    where: { failures: { gt: 0 }, OR: [{ lastAttemptAt: { gt: since } }, { lockedUntil: { gt: now } }] },
    orderBy: [{ lockedUntil: { sort: 'desc', nulls: 'last' } }, { lastAttemptAt: 'desc' }],
    take: 200,
  });
  return rows as SignInThrottleRow[];
}

/** An admin lifts a delay or lock: the key starts over. */
export async function unlockSignInThrottle(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const row = await tx.signInThrottle.findUnique({ where: { id } });
    if (!row) throw notFound('sign-in throttle');
    await tx.signInThrottle.delete({ where: { id } });
    await writeAudit(tx, actor, 'unlock', 'sign-in-throttle', id, row, null);
  });
}
