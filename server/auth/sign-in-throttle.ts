// Failed sign-ins counted per user name and per client address in PostgreSQL (table
// SignInThrottle), so several web processes share the count: each attempt locks both rows
// (SELECT … FOR UPDATE, in one order), decides by throttle-policy.ts, and writes the state as
// if it fails before the password is checked. The first delay and a lock are audited; admins
// see the keys on the Users page and unlock them (server/sign-in-throttles/queries.ts).
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { addressThrottlePolicy, decideAttempt, forgiveAttempt, userThrottlePolicy, type ThrottlePolicy } from './throttle-policy.ts';

type Tx = Prisma.TransactionClient;
type Kind = 'user' | 'address';
const auditActor = 'sign-in throttle';
/**
 * A burst of attempts on one key queues on its row lock and for pool connections: each waits its
 * turn (Prisma's defaults, 2 s for a connection and 5 s per transaction, turned a 40-guess burst
 * into 500s instead of 429s).
 */
const queued = { maxWait: 30_000, timeout: 30_000 };

export interface SignInThrottleRow {
  id: string;
  kind: Kind;
  value: string;
  failures: number;
  lastAttemptAt: Date;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
}

const policyOf = (kind: Kind): ThrottlePolicy => (kind === 'user' ? userThrottlePolicy() : addressThrottlePolicy());

async function lockRow(tx: Tx, kind: Kind, value: string): Promise<SignInThrottleRow> {
  // A new key's times are the epoch, not the database's now(): that is later than the caller's
  // `now` (taken before the transaction), and a next attempt "after now" would refuse the first.
  await tx.$executeRaw`INSERT INTO "SignInThrottle" (id, kind, value, "lastAttemptAt", "nextAttemptAt") VALUES (${randomUUID()}::uuid, ${kind}, ${value}, 'epoch', 'epoch') ON CONFLICT (kind, value) DO NOTHING`;
  const rows = await tx.$queryRaw<SignInThrottleRow[]>`SELECT id, kind, value, failures, "lastAttemptAt", "nextAttemptAt", "lockedUntil" FROM "SignInThrottle" WHERE kind = ${kind} AND value = ${value} FOR UPDATE`;
  // A right password's forgiveSignInAttempt may delete the row between our insert (which found
  // it there) and this select: insert it again.
  return rows[0] ?? lockRow(tx, kind, value);
}

/**
 * Counts one sign-in attempt for this user name and address, or throws 429 (details:
 * retryAfterSeconds, reason) without the password being looked at.
 */
export async function takeSignInAttempt(username: string, address: string, now = new Date()): Promise<void> {
  const keys: Array<[Kind, string]> = [['address', address], ['user', username.trim().toLowerCase()]];
  const refusal = await db().$transaction(async (tx) => {
    const rows = [];
    for (const [kind, value] of keys) rows.push(await lockRow(tx, kind, value));
    const decisions = rows.map((row) => ({ row, decision: decideAttempt(row, policyOf(row.kind), now) }));
    const refused = decisions.find((d) => !d.decision.allowed);
    if (refused && !refused.decision.allowed) return { kind: refused.row.kind, ...refused.decision };
    for (const { row, decision } of decisions) {
      if (!decision.allowed) continue;
      const n = decision.next;
      await tx.signInThrottle.update({ where: { id: row.id }, data: { failures: n.failures, lastAttemptAt: n.lastAttemptAt, nextAttemptAt: n.nextAttemptAt, lockedUntil: n.lockedUntil } });
      if (decision.delayed || decision.locked) {
        await tx.auditLog.create({
          data: {
            actor: auditActor,
            action: decision.locked ? 'sign-in-lock' : 'sign-in-delay',
            entity: 'sign-in-throttle',
            entityId: row.id,
            after: { kind: row.kind, value: row.value, failures: n.failures, nextAttemptAt: n.nextAttemptAt.toISOString(), lockedUntil: n.lockedUntil?.toISOString() ?? null },
          },
        });
      }
    }
    return null;
  }, queued);
  if (refusal) {
    const what = refusal.kind === 'user' ? 'this user name' : 'this address';
    const message = refusal.reason === 'locked' ? `too many failed sign-ins for ${what}: locked, try again in ${refusal.retryAfterSeconds} s or ask an admin to unlock it` : `too many failed sign-ins for ${what}: wait ${refusal.retryAfterSeconds} s`;
    throw new DomainError('too_many_requests', message, 'password', { retryAfterSeconds: refusal.retryAfterSeconds, reason: refusal.reason });
  }
}

/**
 * A right password: the user name's count starts over, and the address's takes this attempt
 * back (forgiveAttempt), so many people signing in from one address never add up to a delay.
 */
export async function forgiveSignInAttempt(username: string, address: string): Promise<void> {
  await db().$transaction(async (tx) => {
    // Rows are locked in takeSignInAttempt's order (address, then user name): a concurrent
    // sign-in waits instead of deadlocking.
    const row = await lockRow(tx, 'address', address);
    await tx.signInThrottle.deleteMany({ where: { kind: 'user', value: username.trim().toLowerCase() } });
    const n = forgiveAttempt(row, addressThrottlePolicy());
    await tx.signInThrottle.update({ where: { id: row.id }, data: { failures: n.failures, nextAttemptAt: n.nextAttemptAt, lockedUntil: n.lockedUntil } });
  }, queued);
}
