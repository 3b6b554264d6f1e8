// Audit rows written by the lifecycle worker itself (no user acting): actor "lifecycle".
import type { Prisma } from '@prisma/client';
import { auditable } from '../audit/audit.ts';

export const workerActorLabel = 'lifecycle';

export async function writeWorkerAudit(tx: Prisma.TransactionClient, action: string, entity: string, entityId: string, after: unknown): Promise<void> {
  await tx.auditLog.create({ data: { actor: workerActorLabel, action, entity, entityId, after: auditable(after) } });
}
