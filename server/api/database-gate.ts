// In front of Next.js in the web process (scripts/web.ts): `/healthz`, and while PostgreSQL is
// away a 503 that says so, in the form the caller reads (JSON `{ error }` for the API, a page
// that retries by itself for a browser), instead of each route failing its own way. Next's
// static files still pass: they need no database.
import type http from 'node:http';
import type { DatabaseStatus } from '../db/availability.ts';
import type { DatabaseCluster } from '../../lib/database-cluster.ts';
import { databaseUnavailableMessage, retryAfterSeconds } from './respond.ts';

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...(status === 503 ? { 'retry-after': String(retryAfterSeconds) } : {}) });
  res.end(body);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What the replication state says of the outage, in words; null when it says nothing. */
export function failoverSummary(cluster: DatabaseCluster | null): string | null {
  if (!cluster || cluster.error) return null;
  const members = cluster.members.map((m) => `${m.name} ${m.role.replace('_', ' ')} ${m.state}`).join(', ');
  if (cluster.failingOver) return `database failing over: no primary yet (${members || 'no members'})`;
  // Patroni's view lags a dead postmaster by up to its loop_wait, and HAProxy's checks lag a
  // promotion by a second or two: both are normal moments of a failover.
  if (cluster.source === 'patroni' && cluster.primary) return `database failing over or being routed: Patroni names ${cluster.primary} (timeline ${cluster.timeline ?? 'unknown'}) as the primary (${members})`;
  return null;
}

/** A page without the console's CSS or scripts (they may be what fails), refreshing itself. */
export function databaseAwayPage(status: DatabaseStatus, cluster: DatabaseCluster | null = null): string {
  const failover = failoverSummary(cluster);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Fleetboot: database not reachable</title>
<style>body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{max-width:36rem;padding:2rem;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem}h1{font-size:1.25rem;margin:0 0 .75rem}
p{line-height:1.5;margin:.5rem 0}code{background:#f1f5f9;padding:.1rem .3rem;border-radius:.25rem}.state{color:#b45309;font-weight:600}</style></head>
<body><main data-testid="database-away">
<h1>${cluster?.failingOver ? 'The database is failing over' : 'The console can\'t reach its database'}</h1>
<p class="state">PostgreSQL is not reachable since ${escapeHtml(status.since)}.</p>
${failover ? `<p data-testid="database-failover">${escapeHtml(failover)}</p>` : ''}
<p>Boot servers keep booting known hosts from their own copy of the configuration, and keep their
events until the database is back. This page tries again every ${retryAfterSeconds} seconds and shows the
console as soon as the database answers; nothing needs restarting.</p>
<p>Last error: <code>${escapeHtml(status.reason ?? 'unknown')}</code></p>
</main></body></html>
`;
}

/** Answers the request itself and returns true, or returns false to let Next.js answer it. */
/**
 * `cluster` is the replication state (server/db/database-cluster.ts): /healthz shows it, and a
 * 503 says "failing over" from it instead of only the driver's error.
 */
export function answerFromDatabaseGate(req: http.IncomingMessage, res: http.ServerResponse, status: DatabaseStatus, cluster: DatabaseCluster | null = null): boolean {
  const pathname = (req.url ?? '/').split('?')[0]!;
  const failover = failoverSummary(cluster);
  if (pathname === '/healthz') {
    const up = status.state === 'up';
    send(res, up ? 200 : 503, 'application/json', JSON.stringify({
      ok: up, database: status, cluster,
      ...(up ? {} : { error: failover ?? `database not reachable: ${status.reason ?? 'unknown'}` }),
    }));
    return true;
  }
  if (status.state === 'up' || pathname.startsWith('/_next/') || pathname === '/icon.svg') return false;
  if (pathname.startsWith('/api/')) {
    send(res, 503, 'application/json', JSON.stringify({ error: databaseUnavailableMessage, code: 'database_unavailable', reason: status.reason, ...(failover ? { failover } : {}) }));
  } else {
    send(res, 503, 'text/html; charset=utf-8', databaseAwayPage(status, cluster));
  }
  return true;
}
