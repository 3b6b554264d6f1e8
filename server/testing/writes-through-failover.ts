// API writes through a database failover or switchover, as an operator's script makes them:
// POST /hosts one at a time, each answer recorded, the event (kill -9 of the primary, a
// patronictl switchover) fired after a number of acknowledged writes, the loop going on until
// enough writes went through after it. Bounded in count and time. Then what the client was
// told is compared with what the new primary holds. Shared by the Patroni tests and
// bench/failover.
import { queryPrimary } from './patroni-cluster.ts';
import type { apiClient } from './web-app.ts';

export interface WritesThroughEvent {
  acknowledged: string[];
  /** answers by HTTP status; 0 = no answer at all */
  statuses: Map<number, number>;
  /** Date.now() when the event was fired */
  eventAtMs: number;
  /** from the event to the first 201 of a write sent after it */
  firstAckAfterEventMs: number | null;
  ackedAfterEvent: number;
  /** writes answered 503 after the event, and the span from the first to the last of them */
  unavailableAfterEvent: number;
  unavailableSpanMs: number;
  /** the `failover` words of 503 answers (server/api/database-gate.ts), member lists elided */
  failoverWords: Set<string>;
  /** answers other than 201 and 503: never expected */
  unexpected: string[];
}

export async function writeHostsThroughEvent(api: ReturnType<typeof apiClient>, opts: {
  prefix: string;
  ackBeforeEvent: number;
  ackAfterEvent: number;
  event: () => void | Promise<void>;
  maxWrites?: number;
  maxMs?: number;
}): Promise<WritesThroughEvent> {
  const r: WritesThroughEvent = {
    acknowledged: [], statuses: new Map(), eventAtMs: 0, firstAckAfterEventMs: null, ackedAfterEvent: 0,
    unavailableAfterEvent: 0, unavailableSpanMs: 0, failoverWords: new Set(), unexpected: [],
  };
  let firstUnavailableMs = 0;
  const deadline = Date.now() + (opts.maxMs ?? 240_000);
  for (let i = 0; i < (opts.maxWrites ?? 1000) && Date.now() < deadline && r.ackedAfterEvent < opts.ackAfterEvent; i++) {
    const hostname = `${opts.prefix}-${String(i).padStart(4, '0')}`;
    const sentAtMs = Date.now();
    let status = 0;
    let body: unknown = null;
    try {
      ({ status, body } = await api.post('/hosts', { hostname }));
    } catch (err) {
      body = String(err); // the web process did not answer at all
    }
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    const afterEvent = r.eventAtMs > 0 && sentAtMs >= r.eventAtMs;
    if (status === 201) {
      r.acknowledged.push(hostname);
      if (afterEvent) {
        r.firstAckAfterEventMs ??= Date.now() - r.eventAtMs;
        r.ackedAfterEvent++;
      }
    } else if (status === 503) {
      const failover = (body as { failover?: string } | null)?.failover;
      if (failover) r.failoverWords.add(failover.replace(/\(.*\)/, '(…)'));
      if (afterEvent) {
        r.unavailableAfterEvent++;
        firstUnavailableMs ||= sentAtMs;
        r.unavailableSpanMs = Date.now() - firstUnavailableMs;
      }
    } else {
      r.unexpected.push(`${hostname}: ${status} ${JSON.stringify(body)}`);
    }
    if (!r.eventAtMs && r.acknowledged.length === opts.ackBeforeEvent) {
      r.eventAtMs = Date.now();
      await opts.event();
    }
    if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return r;
}

export interface StoredComparison {
  lost: string[];
  stored: number;
  /** hosts stored whose audit row count is not exactly one */
  auditMismatches: string[];
  auditRowsWithoutHost: number;
}

/** What the primary behind `url` holds of the hosts named `prefix-…`, against what was acknowledged. */
export async function compareStoredHosts(url: string, prefix: string, acknowledged: string[]): Promise<StoredComparison> {
  const hosts = (await queryPrimary<{ hostname: string; audits: string }>(url,
    `SELECT h.hostname, count(a.id) AS audits FROM "Host" h
     LEFT JOIN "AuditLog" a ON a."entityId" = h.id::text AND a.entity = 'host' AND a.action = 'create'
     WHERE h.hostname LIKE $1 GROUP BY h.hostname`, [`${prefix}-%`]));
  // No host is deleted in these runs: a create audit row without its host is a half-applied write.
  const orphans = (await queryPrimary<{ n: string }>(url,
    `SELECT count(*) AS n FROM "AuditLog" a WHERE a.entity = 'host' AND a.action = 'create' AND NOT EXISTS (SELECT 1 FROM "Host" h WHERE h.id::text = a."entityId")`))[0]!;
  const stored = new Set(hosts.map((h) => h.hostname));
  return {
    lost: acknowledged.filter((h) => !stored.has(h)),
    stored: hosts.length,
    auditMismatches: hosts.filter((h) => Number(h.audits) !== 1).map((h) => `${h.hostname}: ${h.audits}`),
    auditRowsWithoutHost: Number(orphans.n),
  };
}
