// The bulk power queue through the real web process and its worker, against OpenIPMI's
// ipmi_sim BMCs on loopback whose machines "boot" (report up) a while after power-on: a cycle
// of 6 hosts under a limit of 2 never has more than 2 booting (from the queue's recorded times
// and from the BMCs' own), a BMC error fails one host and not the rest, a cancel leaves the
// queued hosts untouched, and a web process killed mid-queue is resumed by the next one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { chassisPower } from '../ipmi.ts';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../testing/ipmi-sim-lab.ts';
import { maxOverlap, recordPowerOnHook, simulateBoots, type BootSimulator } from '../testing/boot-simulator.ts';
import { apiClient, startTestWebApp, startWebProcess, type TestWebApp, type WebProcess } from '../../testing/web-app.ts';
import { createHost, createRole, type Api } from '../../api/integration/fixtures.ts';
import { until } from '../../testing/until.ts';

const skip = ipmiSimSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

const bootMs = 1500;
let app: TestWebApp;
let api: Api;
let cookie: string;
let sims: IpmiSim[] = [];
let second: WebProcess | null = null;
let simulator: BootSimulator | null = null;

/** n hosts of a role with max concurrent boots `limit`, host i on sims[i]. */
async function hostsOnSims(n: number, limit: number, password?: (i: number) => string) {
  const role = await createRole(api, { rolloutMaxConcurrent: limit });
  // ipmi_sim refuses a cycle unless it powered the chassis on itself (its own state, not the script's file).
  await Promise.all(sims.slice(0, n).map((s) => chassisPower({ address: s.address, user: s.user, password: s.password }, 'on')));
  const hosts = [];
  for (let i = 0; i < n; i++) {
    hosts.push(await createHost(api, { roleId: role.id, bmcAddress: sims[i]!.address, bmcUser: sims[i]!.user, bmcPassword: password?.(i) ?? sims[i]!.password }));
  }
  simulator = simulateBoots({ databaseUrl: app.db.url, hosts: hosts.map((h, i) => ({ hostId: h.id, sim: sims[i]! })), bootMs });
  return hosts;
}

const bulk = async (id: string, a: Api = api) => (await a.get(`/power/actions/${id}`)).body;
const finished = (id: string, a: Api = api) => until('the bulk action to finish', async () => { const b = await bulk(id, a); return b.finishedAt && b; });
const queueIntervals = (b: any) => b.hosts.filter((h: any) => h.sentAt).map((h: any) => ({ start: Date.parse(h.sentAt), end: h.finishedAt ? Date.parse(h.finishedAt) : null }));
const bmcIntervals = (s: BootSimulator) => s.boots().map((b) => ({ start: b.onAt, end: b.upAt }));

describe('bulk power queue', { skip: skip ?? false }, () => {
  before(async () => {
    // Every web process of the test decrypts the BMC passwords the first one stored.
    process.env.FLEETBOOT_SECRET_KEY = randomBytes(32).toString('base64');
    process.env.FLEETBOOT_LIFECYCLE_TICK_MS = '300';
    process.env.FLEETBOOT_IPMI_TIMEOUT_MS = '8000';
    for (let i = 0; i < 6; i++) sims.push(await startIpmiSim({ initialPower: 1, onPowerOn: recordPowerOnHook }));
    app = await startTestWebApp('bulk_power');
    cookie = await app.signIn();
    api = apiClient(app.url, { cookie });
  });
  after(async () => {
    await simulator?.stop();
    await second?.stop();
    await app?.stop();
    for (const s of sims) await s.stop();
    sims = [];
  });

  test('cycle 6 hosts with a limit of 2: accepted (202), never more than 2 booting, all up, audited', async () => {
    const hosts = await hostsOnSims(6, 2);
    const res = await api.post('/power', { action: 'cycle', hostIds: hosts.map((h) => h.id) });
    assert.deepEqual({ code: res.status, state: res.body.state, max: res.body.maxConcurrentBoots, queued: res.body.counts.queued }, { code: 202, state: 'running', max: 2, queued: 6 });
    const done = await finished(res.body.id);
    assert.deepEqual({ state: done.state, hosts: done.hosts.map((h: any) => h.state) }, { state: 'completed', hosts: Array(6).fill('up') }, JSON.stringify(done.hosts.map((h: any) => h.error)));
    assert.equal(maxOverlap(queueIntervals(done)), 2, 'booting at once, from the queue\'s sentAt..finishedAt');
    assert.ok(maxOverlap(bmcIntervals(simulator!)) <= 2, `booting at once, from the BMCs: ${JSON.stringify(simulator!.boots())}`);
    assert.deepEqual(hosts.map((h) => simulator!.powerOnCount(h.id)), Array(6).fill(1), 'each machine powered on once');
    const audit = (await api.get(`/audit?entity=power-action&entityId=${res.body.id}`)).body.items.map((r: any) => `${r.actor}:${r.action}`);
    assert.deepEqual(audit.reverse(), ['admin:queue-power', 'power-queue:finish-power']);
    const hostAudit = (await api.get(`/audit?entity=host&entityId=${hosts[0]!.id}`)).body.items.filter((r: any) => r.action === 'power');
    assert.deepEqual(hostAudit.map((r: any) => [r.actor, r.after]), [['admin', { action: 'cycle', ok: true, done: 'cycle', bulkActionId: res.body.id }]]);
    await simulator!.stop();
  });

  test('a wrong BMC password fails that host with ipmitool\'s error; the others go on', async () => {
    const hosts = await hostsOnSims(3, 1, (i) => (i === 1 ? 'not-the-password' : sims[i]!.password));
    const res = await api.post('/power', { action: 'cycle', hostIds: hosts.map((h) => h.id) });
    const done = await finished(res.body.id);
    assert.deepEqual(done.hosts.map((h: any) => h.state), ['up', 'failed', 'up'], JSON.stringify(done.hosts.map((h: any) => h.error)));
    assert.match(done.hosts[1].error, /Unable to establish IPMI v2 \/ RMCP\+ session/);
    assert.equal(done.hosts[1].errorKind, 'auth');
    await simulator!.stop();
  });

  test('cancel: the hosts still queued are never sent; the two booting are watched until up', async () => {
    const hosts = await hostsOnSims(6, 2);
    simulator!.hold();
    const callsBefore = sims.map((s) => s.calls().length);
    const res = await api.post('/power', { action: 'cycle', hostIds: hosts.map((h) => h.id) });
    await until('two hosts booting', async () => { const b = await bulk(res.body.id); assert.equal(b.counts.failed, 0, JSON.stringify(b.hosts.map((h: any) => h.error))); return b.counts.booting === 2; });
    const cancelled = await api.post(`/power/actions/${res.body.id}/cancel`);
    assert.deepEqual({ code: cancelled.status, state: cancelled.body.state, counts: cancelled.body.counts }, { code: 200, state: 'cancelled', counts: { queued: 0, sent: 0, booting: 2, up: 0, done: 0, failed: 0, cancelled: 4 } });
    simulator!.release();
    const done = await finished(res.body.id);
    assert.deepEqual(done.hosts.map((h: any) => h.state), ['up', 'up', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    assert.deepEqual(sims.slice(2).map((s, i) => s.calls().length - callsBefore[i + 2]!), [0, 0, 0, 0], 'the cancelled hosts\' BMCs got no command');
    assert.equal((await api.post(`/power/actions/${res.body.id}/cancel`)).status, 409);
    const audit = (await api.get(`/audit?entity=power-action&entityId=${res.body.id}`)).body.items.map((r: any) => r.action);
    assert.deepEqual(audit.reverse(), ['queue-power', 'cancel-power', 'finish-power']);
    await simulator!.stop();
  });

  test('status answers at once (200) and queues nothing; a viewer sees the queue but can\'t start or cancel', async () => {
    const hosts = await hostsOnSims(2, 2);
    await simulator!.stop();
    const status = await api.post('/power', { action: 'status', hostIds: hosts.map((h) => h.id) });
    assert.deepEqual({ code: status.status, power: status.body.results.map((r: any) => r.power) }, { code: 200, power: ['on', 'on'] });
    await app.addUser('watcher', 'watcher-password-1', 'viewer');
    const viewer = apiClient(app.url, { cookie: await app.signIn('watcher', 'watcher-password-1') });
    const list = await viewer.get('/power/actions?limit=5');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.length >= 3);
    assert.equal((await viewer.post('/power', { action: 'off', hostIds: [hosts[0]!.id] })).status, 403);
    assert.equal((await viewer.post(`/power/actions/${list.body.items[0].id}/cancel`)).status, 403);
  });

  test('the web process killed (kill -9) mid-queue: the next one resumes it, no host cycled twice, still 2 at most', async () => {
    const hosts = await hostsOnSims(6, 2);
    simulator!.hold();
    const res = await api.post('/power', { action: 'cycle', hostIds: hosts.map((h) => h.id) });
    await until('two hosts booting', async () => (await bulk(res.body.id)).counts.booting === 2);
    process.kill(app.web.pid, 'SIGKILL');
    second = await startWebProcess(app.db.url);
    const api2 = apiClient(second.url, { cookie });
    assert.deepEqual((await bulk(res.body.id, api2)).counts, { queued: 4, sent: 0, booting: 2, up: 0, done: 0, failed: 0, cancelled: 0 });
    simulator!.release();
    const done = await finished(res.body.id, api2);
    assert.deepEqual({ state: done.state, hosts: done.hosts.map((h: any) => h.state) }, { state: 'completed', hosts: Array(6).fill('up') });
    assert.deepEqual(hosts.map((h) => simulator!.powerOnCount(h.id)), Array(6).fill(1), 'each machine powered on once');
    assert.ok(maxOverlap(queueIntervals(done)) <= 2);
    assert.ok(maxOverlap(bmcIntervals(simulator!)) <= 2, JSON.stringify(simulator!.boots()));
  });
});
