// What the lifecycle waits for: a host's boot reported by bootd (from its agent) after a given
// moment. An "up" from before the reboot we asked for never counts.
import type { Prisma } from '@prisma/client';
import { db } from '../db/client.ts';

export type BootOutcome =
  /** up, and its health check passed or there was none (health null) */
  | { kind: 'up'; at: Date; health: { ok: true; output?: string } | null }
  /** the agent reported a failure, or the host came up but its health check failed */
  | { kind: 'failed'; at: Date; reason: string; cause: 'agent' | 'health' };

/**
 * The first up or failure of `hostId` reported after `since`, or null while it boots. An up
 * whose health check failed is a failure here, once, for the stage gate, rollouts and bulk power.
 */
export async function findBootOutcome(hostId: string, since: Date): Promise<BootOutcome | null> {
  const e = await db().bootEvent.findFirst({
    where: { hostId, source: 'agent', type: { in: ['up', 'failed'] }, at: { gt: since } },
    orderBy: { at: 'asc' },
  });
  if (!e) return null;
  const detail = (e.detail ?? {}) as Prisma.JsonObject;
  if (e.type === 'failed') return { kind: 'failed', at: e.at, cause: 'agent', reason: `the agent reported a failure${detail.reason ? `: ${String(detail.reason)}` : ''}` };
  const health = detail.health as { ok: boolean; output?: string } | undefined;
  if (health && !health.ok) return { kind: 'failed', at: e.at, cause: 'health', reason: `up, but its health check failed${health.output ? `: ${health.output}` : ''}` };
  return { kind: 'up', at: e.at, health: health ? { ...health, ok: true } : null };
}

/** A host's last boot events since a moment (oldest first): the gate's evidence. */
export async function recentBootEvents(hostId: string, since: Date, limit = 50) {
  const rows = await db().bootEvent.findMany({ where: { hostId, at: { gte: since } }, orderBy: { seq: 'desc' }, take: limit });
  return rows.reverse().map((e) => ({ at: e.at, source: e.source, type: e.type, detail: e.detail, bytesDone: e.bytesDone, bytesTotal: e.bytesTotal }));
}
