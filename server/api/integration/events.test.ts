// Boot events as the API reads them (bootd writes them; here they are written with SQL the way
// its batch writer does): newest first, filters, paging with nextBefore, a host's own timeline.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, sql, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_events');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

interface EventSeed { hostId?: string | null; mac: string; source: string; type: string; secondsAgo?: number; bytesDone?: number; bytesTotal?: number }

/** Writes events in the order given (so later ones are newer). */
async function writeEvents(events: EventSeed[]): Promise<void> {
  for (const e of events) {
    await sql(app, `INSERT INTO "BootEvent" (id, "hostId", mac, source, type, at, "bytesDone", "bytesTotal") VALUES ($1, $2, $3, $4, $5, now() - ($6 * interval '1 second'), $7, $8)`, [
      randomUUID(), e.hostId ?? null, e.mac, e.source, e.type, e.secondsAgo ?? 0, e.bytesDone ?? null, e.bytesTotal ?? null,
    ]);
  }
}

const bootOf = (hostId: string, mac: string): EventSeed[] => [
  { hostId, mac, source: 'dhcp', type: 'offer' },
  { hostId, mac, source: 'tftp', type: 'transfer-done' },
  { hostId, mac, source: 'http', type: 'progress', bytesDone: 5_000_000_000, bytesTotal: 6_000_000_000 },
  { hostId, mac, source: 'agent', type: 'up' },
];

test('a host\'s events come newest first, each with the hostname', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  await writeEvents(bootOf(host.id, mac));
  const res = await api.get(`/hosts/${host.id}/events`);
  assert.deepEqual(res.body.items.map((e: any) => [e.type, e.hostname]), [['up', host.hostname], ['progress', host.hostname], ['transfer-done', host.hostname], ['offer', host.hostname]]);
});

test('byte counts above 4 GiB read back as exact numbers', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  await writeEvents(bootOf(host.id, mac));
  const res = await api.get(`/hosts/${host.id}/events?type=progress`);
  assert.deepEqual(res.body.items.map((e: any) => [e.bytesDone, e.bytesTotal]), [[5_000_000_000, 6_000_000_000]]);
});

test('a host\'s timeline holds only its own events', async () => {
  const macA = uniqueMac();
  const macB = uniqueMac();
  const a = await createHost(api, { mac: macA });
  const b = await createHost(api, { mac: macB });
  await writeEvents([...bootOf(a.id, macA), ...bootOf(b.id, macB)]);
  const res = await api.get(`/hosts/${a.id}/events`);
  assert.deepEqual([...new Set(res.body.items.map((e: any) => e.hostId))], [a.id]);
});

test('the events of an unknown host → 404', async () => {
  assert.equal((await api.get('/hosts/00000000-0000-4000-8000-000000000009/events')).status, 404);
});

test('an unknown MAC\'s discovery events are found by its MAC in any spelling', async () => {
  const mac = uniqueMac();
  await writeEvents([{ mac, source: 'dhcp', type: 'discover-unknown' }, { mac: uniqueMac(), source: 'dhcp', type: 'discover-unknown' }]);
  const res = await api.get(`/events?mac=${mac.toUpperCase().replaceAll(':', '-')}`);
  assert.deepEqual(res.body.items.map((e: any) => [e.mac, e.hostname]), [[mac, null]]);
});

test('source filters the events', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  await writeEvents(bootOf(host.id, mac));
  const res = await api.get(`/hosts/${host.id}/events?source=tftp`);
  assert.deepEqual(res.body.items.map((e: any) => e.type), ['transfer-done']);
});

test('since keeps only the events at or after that time', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  await writeEvents([{ hostId: host.id, mac, source: 'dhcp', type: 'old', secondsAgo: 3600 }, { hostId: host.id, mac, source: 'dhcp', type: 'recent', secondsAgo: 5 }]);
  const since = new Date(Date.now() - 600_000).toISOString();
  const res = await api.get(`/hosts/${host.id}/events?since=${since}`);
  assert.deepEqual(res.body.items.map((e: any) => e.type), ['recent']);
});

test('paging with nextBefore returns every event once, newest first', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  await writeEvents(Array.from({ length: 11 }, (_, i) => ({ hostId: host.id, mac, source: 'agent', type: `step-${i}` })));
  const types: string[] = [];
  let beforeSeq: string | null = null;
  do {
    const res: { body: any } = await api.get(`/hosts/${host.id}/events?limit=4${beforeSeq ? `&before=${beforeSeq}` : ''}`);
    types.push(...res.body.items.map((e: any) => e.type));
    beforeSeq = res.body.nextBefore;
  } while (beforeSeq);
  assert.deepEqual(types, Array.from({ length: 11 }, (_, i) => `step-${10 - i}`));
});

const badQueries: Array<[string, string]> = [
  ['source=ftp', 'source'],
  ['mac=zz:zz', 'mac'],
  ['since=yesterday', 'since'],
  ['limit=0', 'limit'],
  ['before=latest', 'before'],
  ['hostId=web-01', 'hostId'],
];

for (const [query, field] of badQueries) {
  test(`GET /events?${query} → 400 naming ${field}`, async () => {
    const res = await api.get(`/events?${query}`);
    assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field });
  });
}

test('events need a session or token (401)', async () => {
  assert.equal((await apiClient(app.url, {}).get('/events')).status, 401);
});
