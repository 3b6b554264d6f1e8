// Fleetboot on the documented replicated setup (deploy/patroni/): etcd, three Patroni-managed
// PostgreSQL 15 nodes with synchronous replication, HAProxy in front. Fleetboot's migrations
// run on PostgreSQL 15 (the embedded one is 18); then the web process takes API writes while
// the primary's postmaster is killed with -9: a replica is promoted, the console comes back by
// itself (same process), and every write the API acknowledged is on the new primary, once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { hashPassword } from '../../auth/passwords.ts';
import { patroniClusterMissing, startPatroniCluster, type PatroniCluster } from '../../testing/patroni-cluster.ts';
import { until } from '../../testing/until.ts';
import { apiClient, startWebProcess, testAdmin, type WebProcess } from '../../testing/web-app.ts';
import { migrate, requiredTables } from '../migrate.ts';

const skip = patroniClusterMissing();
if (skip) console.log(`# skipped: ${skip}`);

let cluster: PatroniCluster | null = null;
before(async () => {
  if (!skip) cluster = await startPatroniCluster();
}, { timeout: 300_000 });
after(async () => {
  await cluster?.stop();
});

async function query<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

test('the migrations run on the Patroni primary (PostgreSQL 15) and reach the synchronous replica', { skip: skip ?? false }, async () => {
  const c = cluster!;
  const [row] = await query<{ version: string }>(c.url, `SELECT current_setting('server_version_num') AS version`);
  const version = row?.version ?? '';
  assert.match(version, /^15\d{4}$/, `PostgreSQL 15 behind HAProxy (server_version_num ${version})`);
  const result = await migrate(c.url);
  assert.ok(result.applied.length > 0, 'migrations applied on a fresh database');

  // Read on the synchronous replica itself: the schema is there without any failover.
  const sync = (await c.members()).find((m) => m.role === 'sync_standby')!;
  const node = c.nodes.find((n) => n.name === sync.name)!;
  const replicaUrl = new URL(c.adminUrl);
  replicaUrl.port = String(node.pgPort);
  replicaUrl.pathname = '/fleetboot';
  const rows = await query<{ table_name: string; recovery: boolean }>(replicaUrl.toString(),
    `SELECT table_name, pg_is_in_recovery() AS recovery FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`, [requiredTables]);
  assert.equal(rows.length, requiredTables.length, `every table on replica ${node.name}`);
  assert.ok(rows.every((r) => r.recovery), `${node.name} is a replica`);
});

test('kill -9 of the primary postmaster under API writes: a replica takes over, the console recovers by itself, no acknowledged write is lost or doubled', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const c = cluster!;
  await migrate(c.url); // no-op after the test above; makes this test runnable alone
  await query(c.url, `INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now()) ON CONFLICT DO NOTHING`,
    [testAdmin.username, await hashPassword(testAdmin.password)]);
  let web: WebProcess | null = null;
  try {
    web = await startWebProcess(c.url);
    const login = await fetch(`${web.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(testAdmin) });
    assert.equal(login.status, 200);
    const api = apiClient(web.url, { cookie: login.headers.get('set-cookie')!.split(';')[0]! });

    const oldLeader = (await c.leaderName())!;
    const oldNode = c.nodes.find((n) => n.name === oldLeader)!;
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let killedAtMs = 0;
    let firstWriteAfterKillMs: number | null = null;
    let ackedAfterRecovery = 0;
    // Bounded: at most 1000 writes and 4 minutes; stops once 30 writes went through after the
    // failover. One write at a time, as an operator's script would.
    const deadline = Date.now() + 240_000;
    for (let i = 0; i < 1000 && Date.now() < deadline && ackedAfterRecovery < 30; i++) {
      const hostname = `failover-${String(i).padStart(4, '0')}`;
      const sentAtMs = Date.now();
      let status = 0;
      let body: unknown = null;
      try {
        ({ status, body } = await api.post('/hosts', { hostname }));
      } catch (err) {
        body = String(err); // the web process did not answer at all
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) {
        acknowledged.push(hostname);
        if (killedAtMs && sentAtMs > killedAtMs) {
          firstWriteAfterKillMs ??= Date.now() - killedAtMs;
          ackedAfterRecovery++;
        }
      } else if (status !== 503) {
        assert.fail(`write ${hostname} answered ${status} ${JSON.stringify(body)}: during a failover the API answers 201 or 503, nothing else\n${web.output().slice(-3000)}`);
      }
      if (!killedAtMs && acknowledged.length === 30) {
        const pid = c.postmasterPid(oldNode);
        assert.ok(pid, `the postmaster of ${oldLeader} runs`);
        process.kill(pid, 'SIGKILL');
        killedAtMs = Date.now();
      }
      if (status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(killedAtMs > 0, 'the primary was killed');
    assert.ok(ackedAfterRecovery >= 30, `writes go through again after the failover (${ackedAfterRecovery} did; answers: ${JSON.stringify([...statuses])})`);
    const newLeader = await until('a new leader', async () => {
      const name = await c.leaderName();
      return name && name !== oldLeader ? name : null;
    }, 60_000, 500);
    // The lifecycle worker's lead (an advisory lock on a session the failover cut) is taken
    // again by the web process on the new primary.
    await until('the worker to lead again on the new primary', () => (web!.output().match(/\[worker\] leading the worker/g) ?? []).length >= 2, 60_000, 500);
    console.log(`# ${oldLeader} killed, ${newLeader} promoted; first acknowledged API write ${((firstWriteAfterKillMs ?? 0) / 1000).toFixed(1)} s after kill -9; answers ${JSON.stringify(Object.fromEntries(statuses))}`);

    // What the API acknowledged is what the new primary holds: every host once, with its audit row.
    const hosts = await query<{ hostname: string; id: string }>(c.url, `SELECT hostname, id FROM "Host" WHERE hostname LIKE 'failover-%'`);
    const stored = new Set(hosts.map((h) => h.hostname));
    const lost = acknowledged.filter((h) => !stored.has(h));
    assert.deepEqual(lost, [], `acknowledged writes missing on ${newLeader}`);
    const audits = await query<{ entityId: string; n: string }>(c.url,
      `SELECT "entityId", count(*) AS n FROM "AuditLog" WHERE entity = 'host' AND action = 'create' GROUP BY "entityId"`);
    const auditCount = new Map(audits.map((a) => [a.entityId, Number(a.n)]));
    for (const h of hosts) assert.equal(auditCount.get(h.id), 1, `one audit row for ${h.hostname}`);
    assert.equal(auditCount.size, hosts.length, 'no audit row without its host');
    // Stored but not acknowledged (a COMMIT whose answer the failover cut) is allowed: the
    // client was told 503 and finds the host when it looks.
    console.log(`# ${acknowledged.length} acknowledged, ${hosts.length} stored, ${hosts.length - acknowledged.length} stored without acknowledgement`);
  } finally {
    await web?.stop();
  }
});
