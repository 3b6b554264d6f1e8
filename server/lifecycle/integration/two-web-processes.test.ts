// Two real web processes on one database drive one rollout: only the one holding the worker
// lead (server/lifecycle/leader.ts) reboots hosts, so no batch is booted twice and the
// rollout's max concurrent boots holds; the leader killed with kill -9 mid-rollout, the other
// takes the lead and finishes it. The hosts sit behind ipmi_sim BMCs whose machines report
// "up" (as bootd writes it) a while after power-on; the test holds those reports to catch the
// rollout mid-batch.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../../power/testing/ipmi-sim-lab.ts';
import { maxOverlap, recordPowerOnHook, simulateBoots, type BootSimulator } from '../../power/testing/boot-simulator.ts';
import { apiClient, startTestWebApp, startWebProcess, type TestWebApp, type WebProcess } from '../../testing/web-app.ts';
import { createHost, createRole, sql, type Api } from '../../api/integration/fixtures.ts';
import { workerLeaderLockKey } from '../leader.ts';
import { until } from '../../testing/until.ts';

const skip = ipmiSimSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

let app: TestWebApp;
let second: WebProcess;
let sims: IpmiSim[] = [];
let simulator: BootSimulator | null = null;

/** The pids of the web processes' worker connections, and which one holds the lead. */
async function workerConnections(): Promise<{ pids: number[]; leader: number | null }> {
  const rows = (await sql(app, `SELECT a.application_name, l.granted IS TRUE AS leads FROM pg_stat_activity a
    LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.objid = $1 AND l.granted
    WHERE a.application_name LIKE 'fleetboot-worker pid %'`, [workerLeaderLockKey])).rows as Array<{ application_name: string; leads: boolean }>;
  const pid = (name: string) => Number(name.replace('fleetboot-worker pid ', ''));
  const leaders = rows.filter((r) => r.leads).map((r) => pid(r.application_name));
  assert.ok(leaders.length <= 1, `one leader at most: ${JSON.stringify(rows)}`);
  return { pids: rows.map((r) => pid(r.application_name)).sort(), leader: leaders[0] ?? null };
}

describe('two web processes, one rollout', { skip: skip ?? false }, () => {
  before(async () => {
    process.env.FLEETBOOT_SECRET_KEY = randomBytes(32).toString('base64');
    process.env.FLEETBOOT_LIFECYCLE_TICK_MS = '300';
    process.env.FLEETBOOT_IPMI_TIMEOUT_MS = '8000';
    for (let i = 0; i < 6; i++) sims.push(await startIpmiSim({ onPowerOn: recordPowerOnHook }));
    app = await startTestWebApp('two_web');
    second = await startWebProcess(app.db.url);
  });
  after(async () => {
    await simulator?.stop();
    await second?.stop();
    await app?.stop();
    for (const s of sims) await s.stop();
    sims = [];
  });

  test('one leader boots the batches (never twice, never more than 2 at once); kill -9 it and the other finishes', async () => {
    const cookie = await app.signIn();
    const apis: Record<number, Api> = { [app.web.pid]: apiClient(app.url, { cookie }), [second.pid]: apiClient(second.url, { cookie }) };
    const api = apis[app.web.pid]!;
    const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
    const hosts = [];
    for (let i = 0; i < 6; i++) hosts.push(await createHost(api, { roleId: role.id, bmcAddress: sims[i]!.address, bmcUser: sims[i]!.user, bmcPassword: sims[i]!.password }));
    const [v1, v2] = [randomUUID(), randomUUID()];
    await sql(app, `INSERT INTO "Image" (id, "roleId", version, status, "updatedAt") VALUES ($1, $3, 'v1', 'active', now()), ($2, $3, 'v2', 'verified', now())`, [v1, v2, role.id]);
    await sql(app, `UPDATE "Role" SET "activeImageId" = $1 WHERE id = $2`, [v1, role.id]);
    simulator = simulateBoots({ databaseUrl: app.db.url, hosts: hosts.map((h, i) => ({ hostId: h.id, sim: sims[i]! })), bootMs: 1000 });
    simulator.hold();

    const atStart = await until('both workers connected', async () => { const c = await workerConnections(); return c.pids.length === 2 && c.leader !== null ? c : null; });
    assert.deepEqual(atStart.pids, [app.web.pid, second.pid].sort(), 'both web processes run a worker');
    const promoted = await api.post(`/images/${v2}/promote`, { rollout: { batchSize: 3, maxConcurrentBoots: 2, pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 120 } });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    const rolloutId = promoted.body.rollout.id;

    // Batch 0 (3 hosts) under a cap of 2: two boot, the third waits.
    await until('two hosts rebooted through their BMCs', async () => simulator!.boots().length === 2 && (await api.get(`/rollouts/${rolloutId}`)).body.hosts.filter((h: any) => h.powerMethod === 'ipmi').length === 2);
    await new Promise((r) => setTimeout(r, 1500)); // five ticks of each process
    assert.equal(simulator.boots().length, 2, 'no third boot while two are in flight');

    const { leader } = await workerConnections();
    const survivor = leader === app.web.pid ? second.pid : app.web.pid;
    process.kill(leader!, 'SIGKILL');
    simulator.release();
    const done = await until('the rollout completed', async () => { const r = (await apis[survivor]!.get(`/rollouts/${rolloutId}`)).body; return ['completed', 'failed', 'aborted'].includes(r.state) && r; }, 90_000);
    assert.deepEqual({ state: done.state, hosts: done.hosts.map((h: any) => h.state) }, { state: 'completed', hosts: Array(6).fill('up') }, JSON.stringify(done.hosts.map((h: any) => h.reason)));
    assert.equal((await workerConnections()).leader, survivor, 'the survivor took the lead');

    assert.deepEqual(hosts.map((h) => simulator!.powerOnCount(h.id)), Array(6).fill(1), 'every host booted once: no batch twice');
    const boots = simulator.boots();
    assert.ok(maxOverlap(boots.map((b) => ({ start: b.onAt, end: b.upAt }))) <= 2, `at most 2 booting: ${JSON.stringify(boots)}`);
    const batchOf = new Map(done.hosts.map((h: any) => [h.hostId, h.batch]));
    const lastUpOfBatch0 = Math.max(...boots.filter((b) => batchOf.get(b.hostId) === 0).map((b) => b.upAt!));
    const firstOnOfBatch1 = Math.min(...boots.filter((b) => batchOf.get(b.hostId) === 1).map((b) => b.onAt));
    assert.ok(firstOnOfBatch1 > lastUpOfBatch0, 'batch 1 started only after batch 0 was up');
  });
});
