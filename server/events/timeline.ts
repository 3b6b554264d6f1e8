// A host's boots for its timeline: the latest boot sessions with their events (oldest first), and
// the seq to resume the live stream after, read before the events so nothing falls in between
// (the component drops an event it already has by its seq).
import type { HostTimeline } from '../../lib/boot-event.ts';
import { db } from '../db/client.ts';

const eventsPerSession = 400;

export async function getHostTimeline(hostId: string, sessionsShown = 6): Promise<HostTimeline> {
  const head = await db().bootEvent.aggregate({ _max: { seq: true } });
  const sessions = await db().bootSession.findMany({ where: { hostId }, orderBy: { startedAt: 'desc' }, take: sessionsShown });
  const withEvents = await Promise.all(
    sessions.map(async (s) => {
      const [events, total] = await Promise.all([
        db().bootEvent.findMany({ where: { sessionId: s.id }, orderBy: { seq: 'desc' }, take: eventsPerSession }),
        db().bootEvent.count({ where: { sessionId: s.id } }),
      ]);
      return {
        id: s.id,
        startedAt: s.startedAt.toISOString(),
        endedAt: s.endedAt?.toISOString() ?? null,
        phase: s.phase,
        outcome: s.outcome,
        omitted: total - events.length,
        events: events.reverse().map((e) => ({
          seq: e.seq.toString(),
          id: e.id,
          sessionId: e.sessionId,
          source: e.source,
          type: e.type,
          at: e.at.toISOString(),
          detail: (e.detail ?? {}) as Record<string, unknown>,
          bytesDone: e.bytesDone === null ? null : Number(e.bytesDone),
          bytesTotal: e.bytesTotal === null ? null : Number(e.bytesTotal),
        })),
      };
    }),
  );
  return { hostId, sessions: withEvents, afterSeq: (head._max.seq ?? 0n).toString() };
}
