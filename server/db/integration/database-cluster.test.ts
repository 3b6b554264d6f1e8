// The database's replication state on the one-machine setup (the embedded PostgreSQL, no
// Patroni): read from PostgreSQL itself, it names the server as primary with its timeline and
// no replicas, and the web process shows that on /healthz, the dashboard and /api/v1/metrics.
// A Patroni REST API that doesn't answer is reported as unreadable, naming where it asked.
// (The replicated setup's state, and its change on a failover: patroni-failover.test.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readDatabaseCluster } from '../database-cluster.ts';
import { freePort, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';

let app: TestWebApp;
before(async () => {
  app = await startTestWebApp('dbcluster');
});
after(async () => {
  await app?.stop();
});

test('without Patroni the state comes from PostgreSQL: the connected server is the primary, timeline 1, no replicas', async () => {
  const cluster = await readDatabaseCluster({ databaseUrl: app.db.url, patroniUrls: [] });
  assert.equal(cluster.error, null);
  assert.equal(cluster.source, 'postgres');
  assert.ok(cluster.primary, 'a primary is named');
  assert.equal(cluster.timeline, 1, 'a fresh cluster is on timeline 1');
  assert.deepEqual(cluster.members.map((m) => m.role), ['primary']);
  assert.equal(cluster.failingOver, false);
});

test('/healthz, the dashboard and the metrics show the database state', async () => {
  const health = await (await fetch(`${app.url}/healthz`)).json() as { ok: boolean; cluster: { source: string; primary: string; timeline: number; members: unknown[] } };
  assert.equal(health.ok, true);
  assert.equal(health.cluster.source, 'postgres');
  assert.equal(health.cluster.timeline, 1);
  assert.equal(health.cluster.members.length, 1);

  const cookie = await app.signIn();
  // React puts <!-- --> between adjacent text parts; the words are what an operator reads.
  const page = (await (await fetch(`${app.url}/`, { headers: { cookie } })).text()).replaceAll('<!-- -->', '');
  assert.match(page, /data-testid="database-cluster"/, 'the dashboard has the Database panel');
  assert.match(page, /0 replica\(s\), timeline 1; read from PostgreSQL \(pg_stat_replication\)/);

  const metrics = await (await fetch(`${app.url}/api/v1/metrics`, { headers: { cookie } })).text();
  assert.match(metrics, /^fleetboot_database_state_readable\{source="postgres"\} 1$/m);
  assert.match(metrics, /^fleetboot_database_primary_up 1$/m);
  assert.match(metrics, /^fleetboot_database_timeline 1$/m);
  assert.match(metrics, /^fleetboot_database_member\{member="[^"]+",role="primary",state="running"\} 1$/m);
});

test('a Patroni REST API that does not answer: the state is unreadable and says where it asked', async () => {
  const port = await freePort(); // nothing listens there
  const cluster = await readDatabaseCluster({ databaseUrl: app.db.url, patroniUrls: [`http://127.0.0.1:${port}`] });
  assert.equal(cluster.source, 'patroni');
  assert.equal(cluster.primary, null);
  assert.match(cluster.error ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`));
});
