// Power control against OpenIPMI's ipmi_sim on loopback: status, on/off, cycle, one-shot PXE,
// and the failures an operator meets (wrong password, no BMC at that address), each clear and
// within its time bound. Then the same through POST /api/v1/hosts/{id}/power.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chassisBootdevPxeOnce, chassisPower, chassisPowerStatus, IpmiError, pxeBootNow, runIpmitool, type BmcTarget } from '../ipmi.ts';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../testing/ipmi-sim-lab.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createRole, type Api } from '../../api/integration/fixtures.ts';

const skip = ipmiSimSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

let sim: IpmiSim;
let bmc: BmcTarget;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = Date.now();
  try {
    const value = await fn();
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe('ipmitool against ipmi_sim', { skip: skip ?? false }, () => {
  before(async () => {
    sim = await startIpmiSim();
    bmc = { address: sim.address, user: sim.user, password: sim.password };
  });
  after(async () => { await sim?.stop(); });

  test('status follows on and off', async () => {
    assert.equal(await chassisPowerStatus(bmc), 'off');
    await chassisPower(bmc, 'on');
    assert.deepEqual([await chassisPowerStatus(bmc), sim.power()], ['on', 1]);
    await chassisPower(bmc, 'off');
    assert.deepEqual([await chassisPowerStatus(bmc), sim.power()], ['off', 0]);
  });

  test('cycle turns a running machine off and on again', async () => {
    await chassisPower(bmc, 'on');
    const before = sim.calls().length;
    await chassisPower(bmc, 'cycle');
    const deadline = Date.now() + 10_000;
    while (!sim.calls().slice(before).includes('0x20 set power 1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sim.calls().slice(before).filter((c) => c.startsWith('0x20 set power')), ['0x20 set power 0', '0x20 set power 1']);
  });

  test('PXE one-shot: the BMC records "next boot from PXE, this boot only"', async () => {
    await chassisBootdevPxeOnce(bmc);
    assert.equal(sim.bootDevice(), 'pxe');
    const param = await runIpmitool(bmc, ['chassis', 'bootparam', 'get', '5']);
    assert.match(param, /Options apply to only next boot/);
    assert.match(param, /Force PXE/);
  });

  test('pxe-boot powers on a machine that is off (cycle would be refused by many BMCs)', async () => {
    await chassisPower(bmc, 'off');
    assert.equal(await pxeBootNow(bmc), 'powered-on');
    assert.deepEqual([sim.power(), sim.bootDevice()], [1, 'pxe']);
    assert.equal(await pxeBootNow(bmc), 'cycled');
  });

  test('a wrong password fails at once with "Unable to establish IPMI v2 / RMCP+ session"', async () => {
    const r = await timed(() => chassisPowerStatus({ ...bmc, password: 'wrong' }));
    assert.ok(r.error instanceof IpmiError, String(r.error));
    assert.deepEqual({ kind: r.error.kind, says: r.error.message.includes('Unable to establish IPMI v2 / RMCP+ session') }, { kind: 'auth', says: true });
    assert.ok(r.ms < 3000, `took ${r.ms} ms`);
  });

  test('no BMC at the address: "no answer" after ipmitool\'s retries, well within the bound', async () => {
    const r = await timed(() => chassisPowerStatus({ ...bmc, address: '127.0.0.1:9' }, { retryTimeoutSeconds: 1, retries: 1, timeoutMs: 10_000 }));
    assert.ok(r.error instanceof IpmiError, String(r.error));
    assert.equal(r.error.kind, 'unreachable', r.error.message);
    assert.match(r.error.message, /no answer from the BMC at 127\.0\.0\.1:9/);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });

  test('the hard bound kills ipmitool when its own retries would take longer', async () => {
    const r = await timed(() => chassisPowerStatus({ ...bmc, address: '127.0.0.1:9' }, { retryTimeoutSeconds: 5, retries: 5, timeoutMs: 1500 }));
    assert.ok(r.error instanceof IpmiError, String(r.error));
    assert.equal(r.error.kind, 'timeout');
    assert.ok(r.ms >= 1400 && r.ms < 3000, `took ${r.ms} ms`);
  });
});

describe('POST /api/v1/hosts/{id}/power', { skip: skip ?? false }, () => {
  let app: TestWebApp;
  let api: Api;
  before(async () => {
    sim = await startIpmiSim();
    process.env.FLEETBOOT_IPMI_TIMEOUT_MS = '8000';
    app = await startTestWebApp('power_api');
    api = apiClient(app.url, { cookie: await app.signIn() });
  });
  after(async () => {
    await app?.stop();
    await sim?.stop();
  });

  test('status, then pxe-boot: the BMC got PXE once and power; the audit says so', async () => {
    const host = await createHost(api, { bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: sim.password });
    const status = await api.post(`/hosts/${host.id}/power`, { action: 'status' });
    assert.deepEqual({ code: status.status, power: status.body.power }, { code: 200, power: 'off' });
    const boot = await api.post(`/hosts/${host.id}/power`, { action: 'pxe-boot' });
    assert.deepEqual({ code: boot.status, done: boot.body.done, power: sim.power(), boot: sim.bootDevice() }, { code: 200, done: 'powered-on', power: 1, boot: 'pxe' });
    const audit = (await api.get(`/audit?entity=host&entityId=${host.id}`)).body.items;
    assert.deepEqual(audit.filter((r: any) => r.action === 'power').map((r: any) => r.after), [{ action: 'pxe-boot', ok: true, done: 'powered-on' }]);
  });

  test('a wrong BMC password → 502 naming the session failure', async () => {
    const host = await createHost(api, { bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: 'not-it' });
    const res = await api.post(`/hosts/${host.id}/power`, { action: 'status' });
    assert.deepEqual({ code: res.status, field: res.body.field, says: /Unable to establish IPMI v2 \/ RMCP\+ session/.test(res.body.error) }, { code: 502, field: 'bmc', says: true });
  });

  test('an unreachable BMC → 504 within the configured bound', async () => {
    const host = await createHost(api, { bmcAddress: '127.0.0.1:9', bmcUser: 'admin', bmcPassword: 'x' });
    const started = Date.now();
    const res = await api.post(`/hosts/${host.id}/power`, { action: 'cycle' });
    assert.equal(res.status, 504, JSON.stringify(res.body));
    assert.ok(Date.now() - started < 9000);
  });

  test('a host without a BMC → 409: reboot it by hand', async () => {
    const host = await createHost(api);
    const res = await api.post(`/hosts/${host.id}/power`, { action: 'on' });
    assert.deepEqual({ code: res.status, field: res.body.field }, { code: 409, field: 'bmcAddress' });
  });

  test('bulk: a boot action over more hosts than the role\'s max concurrent boots is queued (202), not refused; status answers at once', async () => {
    const role = await createRole(api, { rolloutMaxConcurrent: 2 });
    const hosts = await Promise.all([0, 1, 2].map(() => createHost(api, { roleId: role.id, bmcAddress: sim.address, bmcUser: sim.user, bmcPassword: sim.password })));
    const queued = await api.post('/power', { action: 'cycle', hostIds: hosts.map((h) => h.id) });
    assert.deepEqual({ code: queued.status, max: queued.body.maxConcurrentBoots, hosts: queued.body.hosts.length }, { code: 202, max: 2, hosts: 3 });
    assert.equal((await api.post(`/power/actions/${queued.body.id}/cancel`)).status, 200);
    const ok = await api.post('/power', { action: 'status', hostIds: hosts.map((h) => h.id) });
    assert.deepEqual({ code: ok.status, all: ok.body.results.every((r: any) => r.ok) }, { code: 200, all: true });
  });
});
