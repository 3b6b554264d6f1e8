// The database side of boot console recording: which boots are open on hosts with a BMC,
// which hosts Fleetboot just powered into a boot, and the recorded chunks (written, trimmed to
// the cap, read back for the timeline, the download and search).
import { db } from '../db/client.ts';
import type { RecordedBoot } from '../../lib/recorded-boot.ts';
import { bootingActions } from '../power/schema.ts';

/** Boots older than this are not recorded any more even if nothing ended them (a stalled boot's session can stay open). */
const openBootHorizonMs = 2 * 3600_000;

export async function listOpenBootsOfBmcHosts(now = new Date()): Promise<Array<{ sessionId: string; hostId: string }>> {
  const rows = await db().bootSession.findMany({
    where: { endedAt: null, startedAt: { gt: new Date(now.getTime() - openBootHorizonMs) }, host: { bmcAddress: { not: null }, bmcUser: { not: null }, bmcPasswordEnc: { not: null } } },
    select: { id: true, hostId: true },
    orderBy: { startedAt: 'asc' },
  });
  return rows.flatMap((r) => (r.hostId ? [{ sessionId: r.id, hostId: r.hostId }] : []));
}

/** Hosts Fleetboot powered into a boot (audited power actions the BMC took) after `since`. */
export async function listHostsPoweredIntoBootSince(since: Date): Promise<Array<{ hostId: string; at: Date }>> {
  const rows = await db().auditLog.findMany({ where: { action: 'power', entity: 'host', at: { gt: since } }, select: { entityId: true, after: true, at: true } });
  return rows.flatMap((r) => {
    const after = r.after as { action?: string; ok?: boolean } | null;
    return r.entityId && after?.ok && (bootingActions as readonly string[]).includes(after.action ?? '') ? [{ hostId: r.entityId, at: r.at }] : [];
  });
}

export async function appendConsoleChunk(chunk: { sessionId: string; hostId: string; at: Date; text: string }): Promise<bigint> {
  const row = await db().bootConsoleChunk.create({ data: chunk, select: { id: true } });
  return row.id;
}

export async function deleteConsoleChunks(ids: bigint[]): Promise<void> {
  if (ids.length) await db().bootConsoleChunk.deleteMany({ where: { id: { in: ids } } });
}

/** A host's boots that have a recorded console, newest first. */
export async function listRecordedBoots(hostId: string, limit: number): Promise<RecordedBoot[]> {
  const rows = await db().$queryRaw<Array<{ id: string; startedAt: Date; endedAt: Date | null; outcome: string | null; phase: string; chars: bigint }>>`
    SELECT s.id, s."startedAt", s."endedAt", s.outcome, s.phase, sum(length(c.text))::bigint AS chars
    FROM "BootSession" s JOIN "BootConsoleChunk" c ON c."sessionId" = s.id
    WHERE s."hostId" = ${hostId}::uuid
    GROUP BY s.id ORDER BY s."startedAt" DESC LIMIT ${limit}`;
  return rows.map((r) => ({ sessionId: r.id, startedAt: r.startedAt, endedAt: r.endedAt, outcome: r.outcome, phase: r.phase, chars: Number(r.chars) }));
}

export async function readBootConsole(sessionId: string): Promise<Array<{ at: Date; text: string }>> {
  return db().bootConsoleChunk.findMany({ where: { sessionId }, orderBy: { id: 'asc' }, select: { at: true, text: true } });
}

export async function findBootSession(sessionId: string) {
  return db().bootSession.findUnique({ where: { id: sessionId }, select: { id: true, hostId: true, startedAt: true, endedAt: true, outcome: true, host: { select: { hostname: true } } } });
}

/** Chunks of a host's recorded consoles whose text contains `term` (case-insensitive), newest first. */
export async function searchHostConsoles(hostId: string, term: string, limit: number): Promise<Array<{ sessionId: string; at: Date; text: string }>> {
  return db().bootConsoleChunk.findMany({
    where: { hostId, text: { contains: term, mode: 'insensitive' } },
    orderBy: { id: 'desc' },
    take: limit,
    select: { sessionId: true, at: true, text: true },
  });
}
