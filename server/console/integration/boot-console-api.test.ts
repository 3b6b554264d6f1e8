// Recorded boot consoles through the API of the real web process: a host's recorded boots,
// search by a line's text, one boot's console as text and as a download; viewers may read;
// a boot that doesn't exist is 404, a search term too short 400 naming q.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createHost } from '../../api/integration/fixtures.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';

let app: TestWebApp;
let hostId: string;
let sessionId: string;

before(async () => {
  app = await startTestWebApp('console-api');
  const api = apiClient(app.url, { cookie: await app.signIn() });
  hostId = (await createHost(api, { hostname: 'rec-api-1' })).id;
  const client = new pg.Client({ connectionString: app.db.url });
  await client.connect();
  try {
    sessionId = (await client.query(`INSERT INTO "BootSession" (id, "hostId", mac, "startedAt", "endedAt", phase, outcome) VALUES (gen_random_uuid(), $1, '02:00:00:00:20:99', now() - interval '1 minute', now(), 'initrd', 'failed') RETURNING id`, [hostId])).rows[0].id;
    for (const [offset, text] of [[60, 'SeaBIOS (version 1.16.2)\niPXE 1.21.1\n'], [40, '[    0.000000] Linux version 6.1.0-28-amd64\n'], [10, 'fleetboot-agent: initrd fetch failed: 404\n']] as const) {
      await client.query(`INSERT INTO "BootConsoleChunk" ("sessionId", "hostId", at, text) VALUES ($1, $2, now() - $3 * interval '1 second', $4)`, [sessionId, hostId, offset, text]);
    }
  } finally {
    await client.end();
  }
  await app.addUser('watcher', 'watcher-password-1', 'viewer');
});

after(async () => {
  await app?.stop();
});

test("a viewer lists the host's recorded boots and finds a line by its text", async () => {
  const api = apiClient(app.url, { cookie: await app.signIn('watcher', 'watcher-password-1') });
  const res = await api.get(`/hosts/${hostId}/consoles?q=INITRD FETCH`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.boots.map((b: { sessionId: string; outcome: string }) => [b.sessionId, b.outcome]), [[sessionId, 'failed']]);
  assert.deepEqual(res.body.matches.map((m: { sessionId: string; line: string }) => [m.sessionId, m.line]), [[sessionId, 'fleetboot-agent: initrd fetch failed: 404']]);
  const short = await api.get(`/hosts/${hostId}/consoles?q=x`);
  assert.deepEqual([short.status, short.body.field], [400, 'q']);
});

test("one boot's console reads as text, in order, and downloads as a file", async () => {
  const cookie = await app.signIn('watcher', 'watcher-password-1');
  const res = await fetch(`${app.url}/api/v1/boots/${sessionId}/console?download=1`, { headers: { cookie } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="rec-api-1-.*\.console\.txt"$/);
  assert.equal(await res.text(), 'SeaBIOS (version 1.16.2)\niPXE 1.21.1\n[    0.000000] Linux version 6.1.0-28-amd64\nfleetboot-agent: initrd fetch failed: 404\n');
  const missing = await fetch(`${app.url}/api/v1/boots/00000000-0000-4000-8000-000000000000/console`, { headers: { cookie } });
  assert.equal(missing.status, 404);
});
