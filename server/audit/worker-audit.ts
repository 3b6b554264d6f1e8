// Audit rows written by the lifecycle worker itself (no user acting): actor "lifecycle".
import type { Prisma } from '@prisma/client';
import { auditable } from './audit.ts';

export const workerActorLabel = 'lifecycle';

/** `actor`: which part of the worker acted ("lifecycle", or the bulk power queue's "power-queue"). */
export async function writeWorkerAudit(tx: Prisma.TransactionClient, action: string, entity: string, entityId: string, after: unknown, actor = workerActorLabel): Promise<void> {
  await tx.auditLog.create({ data: { actor, action, entity, entityId, after: auditable(after) } });
}
