// Fleetboot on the documented replicated setup (deploy/patroni/): etcd, three Patroni-managed
// PostgreSQL 15 nodes with synchronous replication, HAProxy in front. Fleetboot's migrations
// run on PostgreSQL 15 (the embedded one is 18); then the web process takes API writes while
// the primary's postmaster is killed with -9: a replica is promoted, the console comes back by
// itself (same process), and every write the API acknowledged is on the new primary, once.
// Then a planned `patronictl switchover` under the same writes, and two web processes on the
// cluster: the worker's lead is held by exactly one of them through a failover and moves to
// the other when its holder is killed. /healthz and the replication
// state (server/db/database-cluster.ts) follow the primary and its timeline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { hashPassword } from '../../auth/passwords.ts';
import { patroniClusterMissing, startPatroniCluster, type PatroniCluster } from '../../testing/patroni-cluster.ts';
import { until } from '../../testing/until.ts';
import { apiClient, startWebProcess, testAdmin, type WebProcess } from '../../testing/web-app.ts';
import { compareStoredHosts, writeHostsThroughEvent, type WritesThroughEvent } from '../../testing/writes-through-failover.ts';
import { migrate, requiredTables } from '../migrate.ts';
import { readDatabaseCluster } from '../database-cluster.ts';
import { workerLeaderLockKey } from '../../lifecycle/leader.ts';

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

test('the replication state read from PostgreSQL itself (no Patroni URL): primary, both replicas, one synchronous; lag needs pg_monitor', { skip: skip ?? false }, async () => {
  const c = cluster!;
  const leader = (await c.leaderName())!;
  const leaderNode = c.nodes.find((n) => n.name === leader)!;
  // As superuser (through HAProxy, so on the primary): every WAL sender's state and lag.
  const full = await readDatabaseCluster({ databaseUrl: c.adminUrl, patroniUrls: [] });
  assert.equal(full.error, null);
  assert.equal(full.primary, `127.0.0.1:${leaderNode.pgPort}`, 'the primary is the node holding the leader key');
  assert.equal(full.timeline, 1);
  const replicas = full.members.filter((m) => m.role !== 'primary');
  assert.deepEqual(replicas.map((m) => m.name).sort(), c.nodes.filter((n) => n.name !== leader).map((n) => n.name).sort(), 'Patroni names each replica by its member name (application_name)');
  assert.equal(replicas.filter((m) => m.role === 'sync_replica').length, 1, 'one synchronous replica');
  assert.ok(replicas.every((m) => m.state === 'streaming' && typeof m.lagBytes === 'number'), JSON.stringify(replicas));
  // As Fleetboot's own role (no pg_monitor): the replicas are counted, their lag is unknown.
  const narrow = await readDatabaseCluster({ databaseUrl: c.url, patroniUrls: [] });
  assert.equal(narrow.members.length, 3);
  assert.ok(narrow.members.filter((m) => m.role !== 'primary').every((m) => m.lagBytes === null && m.role === 'unknown'), JSON.stringify(narrow.members));
});

/** A web process on the cluster (Patroni's REST API configured), an admin in it, signed in. */
async function signedInWeb(c: PatroniCluster): Promise<{ web: WebProcess; api: ReturnType<typeof apiClient> }> {
  await migrate(c.url); // no-op after the first test; makes each test runnable alone
  await query(c.url, `INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now()) ON CONFLICT DO NOTHING`,
    [testAdmin.username, await hashPassword(testAdmin.password)]);
  const patroniUrls = c.nodes.map((n) => `http://127.0.0.1:${n.restPort}`).join(',');
  const web = await startWebProcess(c.url, { env: { FLEETBOOT_PATRONI_URLS: patroniUrls } });
  const login = await fetch(`${web.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(testAdmin) });
  if (login.status !== 200) {
    await web.stop();
    assert.fail(`sign-in answered ${login.status}`);
  }
  return { web, api: apiClient(web.url, { cookie: login.headers.get('set-cookie')!.split(';')[0]! }) };
}

type Health = { ok: boolean; error?: string; cluster: { source: string; primary: string | null; timeline: number | null; members: { name: string; role: string }[] } };
const health = async (web: WebProcess) => (await fetch(`${web.url}/healthz`)).json() as Promise<Health>;
const workerLeads = (web: WebProcess) => (web.output().match(/\[worker\] leading the worker/g) ?? []).length;

/** Every acknowledged write on the new primary, once, with its one audit row; returns the summary line. */
async function assertNothingLost(c: PatroniCluster, prefix: string, run: WritesThroughEvent, leader: string): Promise<string> {
  assert.deepEqual(run.unexpected, [], 'through a failover or switchover the API answers 201 or 503, nothing else');
  const stored = await compareStoredHosts(c.url, prefix, run.acknowledged);
  assert.deepEqual(stored.lost, [], `acknowledged writes missing on ${leader}`);
  assert.deepEqual(stored.auditMismatches, [], 'one audit row per stored host');
  assert.equal(stored.auditRowsWithoutHost, 0, 'no audit row without its host');
  // Stored but not acknowledged (a COMMIT whose answer the failover cut) is allowed: the
  // client was told 503 and finds the host when it looks.
  return `${run.acknowledged.length} acknowledged, ${stored.stored} stored, ${stored.stored - run.acknowledged.length} stored without acknowledgement`;
}

test('kill -9 of the primary postmaster under API writes: a replica takes over, the console recovers by itself, no acknowledged write is lost or doubled', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const c = cluster!;
  const { web, api } = await signedInWeb(c);
  try {
    const oldLeader = (await c.leaderName())!;
    const oldNode = c.nodes.find((n) => n.name === oldLeader)!;
    const before = await health(web);
    assert.deepEqual([before.ok, before.cluster.source, before.cluster.primary, before.cluster.members.length], [true, 'patroni', oldLeader, 3], JSON.stringify(before));
    const timelineBefore = before.cluster.timeline!;
    // One write at a time, as an operator's script would; kill -9 after 30 acknowledged, on
    // until 30 more went through (at most 1000 writes, 4 minutes).
    const run = await writeHostsThroughEvent(api, {
      prefix: 'failover', ackBeforeEvent: 30, ackAfterEvent: 30,
      event: () => {
        const pid = c.postmasterPid(oldNode);
        assert.ok(pid, `the postmaster of ${oldLeader} runs`);
        process.kill(pid, 'SIGKILL');
      },
    });
    assert.ok(run.eventAtMs > 0, 'the primary was killed');
    assert.ok(run.ackedAfterEvent >= 30, `writes go through again after the failover (${run.ackedAfterEvent} did; answers: ${JSON.stringify([...run.statuses])})\n${web.output().slice(-3000)}`);
    const newLeader = await until('a new leader', async () => {
      const name = await c.leaderName();
      return name && name !== oldLeader ? name : null;
    }, 60_000, 500);
    // The lifecycle worker's lead (an advisory lock on a session the failover cut) is taken
    // again by the web process on the new primary.
    await until('the worker to lead again on the new primary', () => workerLeads(web) >= 2, 60_000, 500);
    // /healthz names the new primary on the next timeline (Patroni reports the promotion a few
    // seconds after the first writes go through again: its loop is 5 s).
    const after = await until('/healthz to name the new primary on the next timeline', async () => {
      const h = await health(web);
      return h.cluster.primary === newLeader && h.cluster.timeline === timelineBefore + 1 ? h : null;
    }, 60_000, 500);
    assert.equal(after.ok, true);
    const summary = await assertNothingLost(c, 'failover', run, newLeader);
    console.log(`# ${oldLeader} killed, ${newLeader} promoted; first acknowledged API write ${((run.firstAckAfterEventMs ?? 0) / 1000).toFixed(1)} s after kill -9; answers ${JSON.stringify(Object.fromEntries(run.statuses))}; 503s said: ${[...run.failoverWords].join(' | ') || '(nothing beyond database_unavailable)'}`);
    console.log(`# ${summary}`);
  } finally {
    await web.stop();
  }
});

test('patronictl switchover under API writes: the synchronous replica takes over, no acknowledged write lost, the 503s counted', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const c = cluster!;
  // After the failover above the old primary rejoins as a replica (pg_rewind); a switchover
  // needs a synchronous replica to hand over to.
  await c.waitReplicating(240_000);
  const { web, api } = await signedInWeb(c);
  try {
    const leader = (await c.leaderName())!;
    const candidate = (await c.members()).find((m) => m.role === 'sync_standby')!.name;
    const leadsBefore = workerLeads(web);
    let switchover: Promise<string> | null = null;
    const run = await writeHostsThroughEvent(api, {
      prefix: 'switchover', ackBeforeEvent: 30, ackAfterEvent: 30,
      // Not awaited: the writes go on while Patroni stops the primary and promotes the candidate.
      event: () => { switchover = c.patronictlAsync(['switchover', '--leader', leader, '--candidate', candidate, '--force', 'fleetboot']); },
    });
    assert.ok(switchover, 'the switchover was started');
    const ctlOutput = await switchover!;
    assert.ok(run.ackedAfterEvent >= 30, `writes go through again after the switchover (${run.ackedAfterEvent} did; answers: ${JSON.stringify([...run.statuses])}); patronictl: ${ctlOutput}`);
    const newLeader = await until(`${candidate} to lead`, async () => (await c.leaderName()) === candidate ? candidate : null, 60_000, 500);
    await until('the worker to lead again after the switchover', () => workerLeads(web) > leadsBefore, 60_000, 500);
    const summary = await assertNothingLost(c, 'switchover', run, newLeader);
    // Writes go on while patronictl asks and Patroni prepares; what an operator's script feels
    // is the 503 span: from the first write answered 503 to the last.
    console.log(`# switchover ${leader} -> ${newLeader}: ${run.unavailableAfterEvent} writes answered 503 over ${(run.unavailableSpanMs / 1000).toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries(run.statuses))}`);
    console.log(`# ${summary}`);
  } finally {
    await web.stop();
  }
});

/** The pids of web processes holding the worker's lead, as the primary sees it (pg_locks). */
async function workerLeaseHolders(c: PatroniCluster): Promise<number[]> {
  const rows = await query<{ name: string }>(c.adminUrl,
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = $1 AND l.granted`, [workerLeaderLockKey]);
  return rows.map((r) => Number(/pid (\d+)/.exec(r.name)?.[1] ?? 0));
}

test('two web processes on the cluster: the worker\'s lead is held by exactly one through a failover, and moves to the other when its holder is killed', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const c = cluster!;
  await c.waitReplicating(240_000);
  const first = await signedInWeb(c);
  const second = await signedInWeb(c);
  try {
    const webs = [first.web, second.web];
    const holder = async () => {
      const pids = await workerLeaseHolders(c).catch(() => []);
      return pids.length === 1 && webs.some((w) => w.pid === pids[0]) ? pids[0]! : null;
    };
    const before = await until('one web process to lead', holder, 60_000, 500);
    // A failover cuts both processes' sessions: the lead is taken again, by one of them only.
    const oldLeader = (await c.leaderName())!;
    process.kill(c.postmasterPid(c.nodes.find((n) => n.name === oldLeader)!)!, 'SIGKILL');
    await until('a new leader', async () => ((await c.leaderName()) ?? oldLeader) !== oldLeader, 60_000, 500);
    const afterFailover = await until('one web process to lead on the new primary', holder, 90_000, 500);
    // Stable: a few heartbeats later still exactly that one.
    await new Promise((r) => setTimeout(r, 6000));
    assert.deepEqual(await workerLeaseHolders(c), [afterFailover], 'exactly one holder, the same, after a few heartbeats');
    // kill -9 of the leading web process: its session ends, the other takes the lead.
    const leading = webs.find((w) => w.pid === afterFailover)!;
    const other = webs.find((w) => w !== leading)!;
    process.kill(leading.pid, 'SIGKILL');
    const killedAtMs = Date.now();
    await until('the other web process to take the lead', async () => (await holder()) === other.pid, 60_000, 250);
    console.log(`# lead: pid ${before} before, pid ${afterFailover} after the failover of ${oldLeader}; pid ${other.pid} took it ${((Date.now() - killedAtMs) / 1000).toFixed(1)} s after kill -9 of pid ${leading.pid}`);
  } finally {
    await first.web.stop();
    await second.web.stop();
  }
});
