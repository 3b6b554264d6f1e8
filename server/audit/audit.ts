// The audit log: every change made through the UI or the API, who made it, before → after.
// Written in the same transaction as the change it describes.
import type { Prisma } from '@prisma/client';
import { actorLabel, type Actor } from '../auth/actor.ts';
import { auditable as auditableRow } from '../../lib/audit-row.ts';

type Tx = Prisma.TransactionClient;

/** JSON-safe copy of a row for the audit log (lib/audit-row.ts: BigInt → string, Date → ISO, secrets marked). */
export function auditable(row: unknown): Prisma.InputJsonValue | undefined {
  return auditableRow(row) as Prisma.InputJsonValue | undefined;
}

export async function writeAudit(
  tx: Tx,
  actor: Actor,
  action: string,
  entity: string,
  entityId: string | null,
  before: unknown,
  after: unknown,
): Promise<void> {
  // A PATCH that changes nothing (a form saved as it was, a script re-applying its state) is not
  // a change: recording it would bury the real ones in the log.
  if (action === 'update' && sameExceptTimestamps(before, after)) return;
  await tx.auditLog.create({
    data: {
      actor: actorLabel(actor),
      userId: actor.userId,
      tokenId: actor.tokenId ?? null,
      action,
      entity,
      entityId,
      before: auditable(before),
      after: auditable(after),
    },
  });
}

/** Equal as audited, ignoring the row's own updatedAt (Prisma bumps it on every update). */
function sameExceptTimestamps(before: unknown, after: unknown): boolean {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object') return false;
  const strip = (row: object) => JSON.stringify(auditable({ ...row, updatedAt: undefined }));
  return strip(before) === strip(after);
}
