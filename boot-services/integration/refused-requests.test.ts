// Requests bootd refuses from sources it can't trust (issue 17 item 6), with real traffic: curl
// floods the real bootd's boot agent API (identity for a MAC not leased to the sender) from two
// loopback addresses and its status endpoint (hosts' logs without the console's signature).
// Every request is refused and counted per source on /metrics, but the events table gets one
// event per source at once and one summary per source when its minute ends (here: at bootd's
// stop, which writes what is pending), and the console's Boot servers page sums them per source.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startLoopbackBootd, type LoopbackBootd } from '../testing/bootd-process.ts';
import { until } from '../../server/testing/until.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../server/testing/web-app.ts';
import { sql, unique, uniqueMac, type Api } from '../../server/api/integration/fixtures.ts';

const run = promisify(execFile);

let app: TestWebApp;
let admin: Api;
let cookie: string;
let bootd: LoopbackBootd | null = null;

before(async () => {
  app = await startTestWebApp('bootd_refused_requests');
  cookie = await app.signIn();
  admin = apiClient(app.url, { cookie });
});
after(async () => {
  await bootd?.stop();
  await app?.stop();
});

/** curl asks every URL once from `fromAddress` (one process, one connection) and prints each status. */
async function curlStatuses(urls: string[], fromAddress: string): Promise<string[]> {
  const { stdout } = await run('curl', ['-s', '--interface', fromAddress, '--max-time', '60', ...urls.flatMap((u) => ['-o', '/dev/null', '-w', '%{http_code}\\n', u])], { timeout: 90_000, maxBuffer: 1 << 20 });
  return stdout.trim().split('\n');
}

async function metric(b: LoopbackBootd, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${b.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`fleetboot_refused_requests_total{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

const rejectedEvents = async () => (await sql(app, `SELECT source, detail FROM "BootEvent" WHERE type = 'rejected' ORDER BY seq`)).rows as Array<{ source: string; detail: Record<string, unknown> }>;

test('a flood of refused requests is counted per source, stored as one event per source and minute, and summed on the console', async () => {
  const made = await admin.post('/boot-servers', { name: unique('bootd'), site: 'lab' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  bootd = await startLoopbackBootd(app.db.url, {
    FLEETBOOT_BOOTD_NAME: made.body.bootServer.name, FLEETBOOT_BOOTD_CREDENTIAL: made.body.credential, FLEETBOOT_BOOTD_HEARTBEAT_MS: '500',
    FLEETBOOT_SERVICES: 'tftp,http,syslog', FLEETBOOT_SYSLOG_PORT: '0',
  });
  await bootd.waitForOutput(/bootd ready/);
  const b = bootd;

  // The flood: identity for MACs nobody leased to the sender, 300 from one address, 40 from another.
  const identity = (n: number) => Array.from({ length: n }, () => `http://127.0.0.1:${b.httpPort}/boot/v1/identity?mac=${uniqueMac()}`);
  const fromFirst = await curlStatuses(identity(300), '127.0.0.1');
  const fromSecond = await curlStatuses(identity(40), '127.0.0.2');
  const unsignedLogs = await curlStatuses(Array.from({ length: 20 }, () => `http://127.0.0.1:${b.adminPort}/logs/${crypto.randomUUID()}?lines=5`), '127.0.0.1');
  assert.deepEqual([...new Set(fromFirst)], ['403']);
  assert.equal(fromFirst.length, 300);
  assert.deepEqual([...new Set(fromSecond)], ['403']);
  assert.deepEqual([...new Set(unsignedLogs)], ['401']);

  assert.equal(await metric(b, 'service="agent",source="127.0.0.1"'), 300, 'every refusal counted for its source');
  assert.equal(await metric(b, 'service="agent",source="127.0.0.2"'), 40);
  assert.equal(await metric(b, 'service="bootd",source="127.0.0.1"'), 20);

  // While the minute runs: each source's first refusal, nothing more.
  await until('the first refusals stored', async () => (await rejectedEvents()).length >= 3, 30_000);
  await new Promise((r) => setTimeout(r, 1500));
  const first = await rejectedEvents();
  assert.deepEqual(first.map((e) => [e.source, e.detail.clientIp, e.detail.count]).sort(), [['agent', '127.0.0.1', 1], ['agent', '127.0.0.2', 1], ['bootd', '127.0.0.1', 1]]);

  // bootd's stop writes the pending summaries (as the end of the minute would).
  await b.stop();
  bootd = null;
  const all = await rejectedEvents();
  assert.equal(all.length, 6, `one event at once and one summary per source: ${JSON.stringify(all)}`);
  const summed = new Map<string, number>();
  for (const e of all) summed.set(`${e.source} ${String(e.detail.clientIp)}`, (summed.get(`${e.source} ${String(e.detail.clientIp)}`) ?? 0) + Number(e.detail.count));
  assert.deepEqual(Object.fromEntries(summed), { 'agent 127.0.0.1': 300, 'agent 127.0.0.2': 40, 'bootd 127.0.0.1': 20 });
  const summary = all.find((e) => e.source === 'agent' && e.detail.clientIp === '127.0.0.1' && e.detail.summary)!;
  assert.deepEqual(summary.detail.routes, { identity: 299 });

  // The console sums them per source, most refused first.
  const page = await fetch(`${app.url}/boot-servers`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  const row = (id: string) => html.match(new RegExp(`data-testid="refused-${id.replace(/\./g, '\\.')}".*?</tr>`))?.[0] ?? '';
  assert.match(row('agent-127.0.0.1'), />300</);
  assert.match(row('agent-127.0.0.2'), />40</);
  assert.match(row('bootd-127.0.0.1'), />20</);
  assert.ok(html.indexOf('refused-agent-127.0.0.1') < html.indexOf('refused-agent-127.0.0.2'), 'most refused first');
});
