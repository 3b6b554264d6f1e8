// GET /api/v1/metrics: Prometheus text format for a scraper holding a viewer API token. bootd's
// own metrics (DHCP, leases, TFTP/HTTP transfers, boots, boot durations, event lag, artifact
// cache) come from each bootd's status endpoint: the one beside the console
// (127.0.0.1:FLEETBOOT_BOOTD_ADMIN_PORT) and every named boot server heard from lately at its
// registered status URL, each sample labelled boot_server (server/boot-servers/); then the web
// process's live-stream gauges and the database's replication state (server/db/database-cluster.ts).
// Each bootd can also be scraped directly.
import { apiRoute } from '../handler.ts';
import { eventHub } from '../../events/live.ts';
import { databaseClusterState } from '../../db/database-cluster.ts';
import { databaseClusterMetrics } from '../../db/database-cluster-metrics.ts';
import { mergeExpositions, type Exposition } from '../../boot-servers/metrics-merge.ts';
import { askBootd, liveStatusEndpoints, type StatusEndpoint } from '../../boot-servers/status-endpoints.ts';

const bootdTimeoutMs = 1000;

async function bootdMetrics(endpoint: StatusEndpoint): Promise<Exposition> {
  const where = endpoint.name ? `boot server ${endpoint.name} (${endpoint.baseUrl})` : endpoint.baseUrl;
  try {
    const res = await askBootd(endpoint, '/metrics', bootdTimeoutMs);
    if (res.ok) return { bootServer: endpoint.name, text: await res.text() };
    await res.body?.cancel();
    return { bootServer: endpoint.name, text: `# bootd metrics unavailable from ${where}: HTTP ${res.status}` };
  } catch (err) {
    return { bootServer: endpoint.name, text: `# bootd metrics unavailable from ${where}: ${(err as Error).message}` };
  }
}

export const metricsRoute = apiRoute('viewer', async () => {
  const [bootd, cluster] = await Promise.all([
    liveStatusEndpoints().then((endpoints) => Promise.all(endpoints.map(bootdMetrics))).then(mergeExpositions),
    databaseClusterState(),
  ]);
  const hub = eventHub().stats;
  const web = [
    '# HELP fleetboot_web_sse_subscribers Open live event streams (SSE) in this web process',
    '# TYPE fleetboot_web_sse_subscribers gauge',
    `fleetboot_web_sse_subscribers ${hub.subscribers}`,
    '# HELP fleetboot_web_sse_catchup_reads_total Stream pages read from the database for readers behind the in-memory ring',
    '# TYPE fleetboot_web_sse_catchup_reads_total counter',
    `fleetboot_web_sse_catchup_reads_total ${hub.catchUpReads}`,
    '# HELP fleetboot_web_event_notifications_total Event-batch notifications received',
    '# TYPE fleetboot_web_event_notifications_total counter',
    `fleetboot_web_event_notifications_total ${hub.notifications}`,
    '# HELP fleetboot_web_event_head_seq Newest boot event seq read by the live hub',
    '# TYPE fleetboot_web_event_head_seq gauge',
    `fleetboot_web_event_head_seq ${hub.head}`,
  ].join('\n');
  return new Response(`${bootd.trimEnd()}\n${web}\n${databaseClusterMetrics(cluster)}\n`, { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' } });
});
