// Failover benchmark (issue 19): Fleetboot's web process on the shipped Patroni setup
// (server/testing/patroni-cluster.ts: etcd, three PostgreSQL 15 nodes, synchronous mode,
// HAProxy), POST /hosts one at a time through
//   - N kill -9 failovers of the primary's postmaster: time from the kill to the first
//     acknowledged (201) write sent after it;
//   - N planned `patronictl switchover`s to the synchronous replica: the span of writes
//     answered 503 (first to last) and how many;
// each with acknowledged writes lost (target 0). Reference in the same run: the write latency
// (p50/p95 of POST /hosts) on the embedded PostgreSQL (one machine, no replication) against
// the replicated setup (a COMMIT waits for the synchronous replica), as a ratio.
// Run: bash bench/failover/run.sh [--rounds 5]
import { performance } from 'node:perf_hooks';
import { hashPassword } from '../../server/auth/passwords.ts';
import { migrate } from '../../server/db/migrate.ts';
import { startPatroniCluster, type PatroniCluster } from '../../server/testing/patroni-cluster.ts';
import { until } from '../../server/testing/until.ts';
import { apiClient, startTestWebApp, startWebProcess, testAdmin } from '../../server/testing/web-app.ts';
import { compareStoredHosts, writeHostsThroughEvent, type WritesThroughEvent } from '../../server/testing/writes-through-failover.ts';
import pg from 'pg';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const latencyWrites = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const s = (ms: number) => (ms / 1000).toFixed(1);

async function writeLatency(api: ReturnType<typeof apiClient>, prefix: string): Promise<{ p50: number; p95: number }> {
  const samples: number[] = [];
  for (let i = 0; i < latencyWrites; i++) {
    const t0 = performance.now();
    const res = await api.post('/hosts', { hostname: `${prefix}-${i}` });
    if (res.status !== 201) throw new Error(`${prefix}: write answered ${res.status}`);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

async function signIn(url: string): Promise<ReturnType<typeof apiClient>> {
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify(testAdmin) });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}`);
  return apiClient(url, { cookie: login.headers.get('set-cookie')!.split(';')[0]! });
}

interface Round { kind: 'failover' | 'switchover'; from: string; to: string; run: WritesThroughEvent; lost: number }

let webOutput: () => string = () => '';

async function oneRound(c: PatroniCluster, api: ReturnType<typeof apiClient>, kind: Round['kind'], n: number): Promise<Round> {
  await c.waitReplicating(300_000);
  const from = (await c.leaderName())!;
  const candidate = (await c.members()).find((m) => m.role === 'sync_standby')!.name;
  let switchover: Promise<string> | null = null;
  const prefix = `${kind}${n}`;
  const run = await writeHostsThroughEvent(api, {
    prefix, ackBeforeEvent: 10, ackAfterEvent: 10,
    event: () => {
      if (kind === 'failover') process.kill(c.postmasterPid(c.nodes.find((x) => x.name === from)!)!, 'SIGKILL');
      else switchover = c.patronictlAsync(['switchover', '--leader', from, '--candidate', candidate, '--force', 'fleetboot']);
    },
  });
  if (switchover) await switchover;
  const to = await until('a new leader', async () => {
    const name = await c.leaderName();
    return name && name !== from ? name : null;
  }, 90_000, 500);
  // Counted and shown, not hidden: any answer but 201/503 through a failover is a finding.
  for (const u of run.unexpected) console.log(`# UNEXPECTED ${kind} ${n}: ${u}`);
  const stored = await compareStoredHosts(c.url, prefix, run.acknowledged);
  const r: Round = { kind, from, to, run, lost: stored.lost.length };
  console.log(`# ${kind} ${n}: ${from} -> ${to}; first ack after the event ${s(run.firstAckAfterEventMs ?? NaN)} s; 503s ${run.unavailableAfterEvent} over ${s(run.unavailableSpanMs)} s; lost ${r.lost} of ${run.acknowledged.length}`);
  return r;
}

function summary(list: Round[], pick: (r: Round) => number): string {
  const v = list.map(pick).sort((a, b) => a - b);
  return `${s(percentile(v, 50))} / ${s(percentile(v, 95))}`;
}

// Reference first: the embedded PostgreSQL (scripts/with-test-db.sh), same web process code.
const embedded = await startTestWebApp('bench_failover');
let embeddedLatency: { p50: number; p95: number };
try {
  embeddedLatency = await writeLatency(await signIn(embedded.url), 'embedded');
} finally {
  await embedded.stop();
}

const cluster = await startPatroniCluster();
try {
  await migrate(cluster.url);
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query(`INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'admin', now())`, [testAdmin.username, await hashPassword(testAdmin.password)]);
  await admin.end();
  const web = await startWebProcess(cluster.url, { env: { FLEETBOOT_PATRONI_URLS: cluster.nodes.map((n) => `http://127.0.0.1:${n.restPort}`).join(',') } });
  try {
    webOutput = web.output;
    const api = await signIn(web.url);
    const replicatedLatency = await writeLatency(api, 'replicated');
    const done: Round[] = [];
    for (let i = 1; i <= rounds; i++) done.push(await oneRound(cluster, api, 'failover', i));
    for (let i = 1; i <= rounds; i++) done.push(await oneRound(cluster, api, 'switchover', i));
    const failovers = done.filter((r) => r.kind === 'failover');
    const switchovers = done.filter((r) => r.kind === 'switchover');
    const lost = (list: Round[]) => `${list.reduce((a, r) => a + r.lost, 0)} of ${list.reduce((a, r) => a + r.run.acknowledged.length, 0)}`;
    console.log(`\n${rounds} failovers and ${rounds} switchovers, one POST /hosts at a time (bounded: ≤ 1000 writes and 4 min per round)\n`);
    const other = (list: Round[]) => list.reduce((a, r) => a + r.run.unexpected.length, 0);
    console.log('| event | first acknowledged write after the event, p50 / p95 (s) | span of 503 answers, p50 / p95 (s) | 503 answers per round | other answers (not 201/503) | acknowledged writes lost |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    console.log(`| kill -9 of the primary | ${summary(failovers, (r) => r.run.firstAckAfterEventMs ?? Infinity)} | ${summary(failovers, (r) => r.run.unavailableSpanMs)} | ${failovers.map((r) => r.run.unavailableAfterEvent).sort((a, b) => a - b).join(', ')} | ${other(failovers)} | ${lost(failovers)} |`);
    console.log(`| patronictl switchover | ${summary(switchovers, (r) => r.run.firstAckAfterEventMs ?? Infinity)} | ${summary(switchovers, (r) => r.run.unavailableSpanMs)} | ${switchovers.map((r) => r.run.unavailableAfterEvent).sort((a, b) => a - b).join(', ')} | ${other(switchovers)} | ${lost(switchovers)} |`);
    console.log(`\n| POST /hosts latency (${latencyWrites} writes) | p50 ms | p95 ms |\n| --- | --- | --- |`);
    console.log(`| embedded PostgreSQL 18 (reference) | ${embeddedLatency.p50.toFixed(1)} | ${embeddedLatency.p95.toFixed(1)} |`);
    console.log(`| Patroni, PostgreSQL 15, synchronous, via HAProxy | ${replicatedLatency.p50.toFixed(1)} (${(replicatedLatency.p50 / embeddedLatency.p50).toFixed(2)}×) | ${replicatedLatency.p95.toFixed(1)} (${(replicatedLatency.p95 / embeddedLatency.p95).toFixed(2)}×) |`);
    if (done.some((r) => r.run.unexpected.length)) {
      console.log('\n# the web process\'s errors (for the answers other than 201/503):');
      console.log(webOutput().split('\n').filter((l) => /error|Error|code/.test(l)).slice(-40).join('\n'));
    }
  } finally {
    await web.stop();
  }
} finally {
  await cluster.stop();
}
