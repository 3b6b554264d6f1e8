// GET /api/v1/metrics: Prometheus text format for a scraper holding a viewer API token. bootd's
// own metrics (DHCP, leases, TFTP/HTTP transfers, boots, boot durations, event lag) come from its
// admin endpoint on this machine (127.0.0.1:FLEETBOOT_BOOTD_ADMIN_PORT/metrics, also scrapable
// directly), followed by the web process's live-stream gauges.
import { apiRoute } from '../handler.ts';
import { eventHub } from '../../events/live.ts';

const bootdTimeoutMs = 1000;

export const metricsRoute = apiRoute('viewer', async () => {
  const port = Number(process.env.FLEETBOOT_BOOTD_ADMIN_PORT) || 9467;
  let bootd: string;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(bootdTimeoutMs) });
    bootd = res.ok ? await res.text() : `# bootd metrics unavailable: HTTP ${res.status}\n`;
  } catch (err) {
    bootd = `# bootd metrics unavailable on 127.0.0.1:${port}: ${(err as Error).message}\n`;
  }
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
  return new Response(`${bootd.trimEnd()}\n${web}\n`, { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' } });
});
