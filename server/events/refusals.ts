// Requests bootd refused (the boot agent API's 4xx, unsigned status requests), per source: bootd
// writes a source's first refusal of a minute and a summary of the rest (count) as "rejected"
// events (boot-services/events/refusal-summary.ts); this adds them up for the console.
import { db } from '../db/client.ts';

export interface RefusedSource {
  /** Which part of bootd refused: agent (the boot agent API) or bootd (its status endpoint). */
  service: string;
  clientIp: string;
  requests: number;
  lastAt: Date;
  lastReason: string | null;
}

/** Sources bootd refused in the last `withinMinutes`, most refused first (at most `limit`). */
export async function listRefusedSources(withinMinutes: number, limit = 50): Promise<RefusedSource[]> {
  const rows = await db().$queryRaw<Array<{ service: string; clientIp: string | null; requests: bigint; lastAt: Date; lastReason: string | null }>>`
    SELECT source AS service, detail->>'clientIp' AS "clientIp",
           sum(CASE WHEN jsonb_typeof(detail->'count') = 'number' THEN (detail->>'count')::bigint ELSE 1 END) AS requests,
           max(at) AS "lastAt", (array_agg(detail->>'reason' ORDER BY seq DESC))[1] AS "lastReason"
    FROM "BootEvent"
    WHERE type = 'rejected' AND source IN ('agent', 'bootd') AND at >= now() - make_interval(mins => ${withinMinutes}::int)
    GROUP BY 1, 2 ORDER BY requests DESC, "lastAt" DESC LIMIT ${limit}`;
  return rows.map((r) => ({ service: r.service, clientIp: r.clientIp ?? 'unknown', requests: Number(r.requests), lastAt: r.lastAt, lastReason: r.lastReason }));
}
