// Deciding to start boots: what is booting now, and one decision at a time. The worker leader
// (server/lifecycle/leader.ts) is the only process that sends power commands; these claims
// are its second line: a rollout or the bulk power queue counts what is in flight and marks
// the hosts it will boot inside one transaction holding a transaction-level advisory lock, so
// even two processes that both believe they lead (a leader whose lock connection just died)
// can't both fill the same free slots.
import type { Prisma } from '@prisma/client';
import { db } from '../db/client.ts';
import { bootingActions } from './schema.ts';

type Tx = Prisma.TransactionClient;

/** pg_advisory_xact_lock key of boot claims (74_115_001 is the migration lock). */
export const bootClaimLockKey = 74_115_003;

/** Runs `fn` in a transaction that holds the boot-claim lock until it commits. */
export async function withBootClaimLock<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${bootClaimLockKey}::bigint)`;
    return fn(tx);
  });
}

export const defaultMaxConcurrentBoots = 10;

/**
 * The fleet-wide boot-storm limit for bulk power actions outside a rollout
 * (FLEETBOOT_MAX_CONCURRENT_BOOTS, default 10): bootd's DHCP, TFTP and HTTP serve that many
 * boots at once before any role's own policy is asked.
 */
export function globalMaxConcurrentBoots(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.FLEETBOOT_MAX_CONCURRENT_BOOTS);
  return Number.isInteger(n) && n >= 1 ? n : defaultMaxConcurrentBoots;
}

/**
 * Hosts Fleetboot has powered into a boot that hasn't ended yet (up, failed or timed out):
 * bulk power hosts sent or booting, hosts a live rollout is rebooting, spares being staged.
 */
export async function countBootsInFlight(tx: Tx): Promise<number> {
  // One after the other: a transaction is one connection.
  const bulk = await tx.bulkPowerHost.count({ where: { state: { in: ['sent', 'booting'] }, bulkAction: { action: { in: [...bootingActions] } } } });
  const rollout = await tx.rolloutHost.count({ where: { state: 'rebooting', rollout: { state: { in: ['running', 'paused'] } } } });
  const stage = await tx.imageStage.count({ where: { state: { in: ['powering', 'booting'] }, powerMethod: 'ipmi' } });
  return bulk + rollout + stage;
}
