// /api/v1/hosts through the real web process: CRUD, validation naming the field, duplicates in
// any spelling, and where a reserved address may sit on its network (409 naming ip).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, sql, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_hosts');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

test('a host registered without a MAC reads back waiting for hardware, on the network of its IP', async () => {
  const net = await createNetwork(api);
  const role = await createRole(api);
  const name = unique('web');
  const created = await api.post('/hosts', { hostname: name, ip: net.at(10), roleId: role.id });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const read = await api.get(`/hosts/${created.body.id}`);
  assert.deepEqual(
    { hostname: read.body.hostname, mac: read.body.mac, ip: read.body.ip, networkId: read.body.networkId, roleId: read.body.roleId, state: read.body.state, role: read.body.role?.name },
    { hostname: name, mac: null, ip: net.at(10), networkId: net.id, roleId: role.id, state: 'registered', role: role.name },
  );
});

test('a MAC given with dashes in upper case is stored in lower-case colon form', async () => {
  const res = await api.post('/hosts', { hostname: unique('h'), mac: 'AA-BB-CC-00-11-22' });
  assert.equal(res.body.mac, 'aa:bb:cc:00:11:22', JSON.stringify(res.body));
});

test('a hostname given in capitals is stored lower-cased', async () => {
  const name = unique('Web').toUpperCase();
  const res = await api.post('/hosts', { hostname: name });
  assert.equal(res.body.hostname, name.toLowerCase(), JSON.stringify(res.body));
});

test('PATCH claims hardware: the MAC is set and the other fields stay', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(11) });
  const mac = uniqueMac();
  const res = await api.patch(`/hosts/${host.id}`, { mac });
  assert.deepEqual({ status: res.status, mac: res.body.mac, ip: res.body.ip, hostname: res.body.hostname }, { status: 200, mac, ip: net.at(11), hostname: host.hostname });
});

test('PATCH with a role and the spare flag is what GET returns', async () => {
  const host = await createHost(api);
  const role = await createRole(api);
  await api.patch(`/hosts/${host.id}`, { roleId: role.id, spare: true });
  const read = await api.get(`/hosts/${host.id}`);
  assert.deepEqual({ roleId: read.body.roleId, spare: read.body.spare }, { roleId: role.id, spare: true });
});

test('DELETE removes the host: 204, then 404', async () => {
  const host = await createHost(api);
  assert.equal((await api.delete(`/hosts/${host.id}`)).status, 204);
  assert.equal((await api.get(`/hosts/${host.id}`)).status, 404);
});

test('GET, PATCH and DELETE of an unknown host are 404', async () => {
  const id = '00000000-0000-4000-8000-000000000001';
  const got = [(await api.get(`/hosts/${id}`)).status, (await api.patch(`/hosts/${id}`, { spare: true })).status, (await api.delete(`/hosts/${id}`)).status];
  assert.deepEqual(got, [404, 404, 404]);
});

test('a host id that is not a UUID is 404', async () => {
  assert.equal((await api.get('/hosts/web-01')).status, 404);
});

test('the BMC password is write-only: never in GET or the list, only hasBmcPassword', async () => {
  const host = await createHost(api, { bmcAddress: '10.250.0.5', bmcUser: 'root', bmcPassword: 'calvin-secret' });
  const read = await api.get(`/hosts/${host.id}`);
  const list = await api.get(`/hosts?q=${host.hostname}`);
  const text = JSON.stringify([read.body, list.body]);
  assert.deepEqual({ hasBmcPassword: read.body.hasBmcPassword, leaks: text.includes('calvin-secret') || text.includes('bmcPassword"') }, { hasBmcPassword: true, leaks: false });
});

const invalidHosts: Array<[string, () => Record<string, unknown>, string]> = [
  ['no hostname', () => ({ mac: uniqueMac() }), 'hostname'],
  ['an empty hostname', () => ({ hostname: '' }), 'hostname'],
  ['a hostname with an underscore', () => ({ hostname: 'web_01' }), 'hostname'],
  ['a MAC with five octets', () => ({ hostname: unique('h'), mac: 'aa:bb:cc:dd:ee' }), 'mac'],
  ['a MAC with a non-hex digit', () => ({ hostname: unique('h'), mac: 'aa:bb:cc:dd:ee:gg' }), 'mac'],
  ['an IP with an octet above 255', () => ({ hostname: unique('h'), ip: '10.0.0.256' }), 'ip'],
  ['an IP with three octets', () => ({ hostname: unique('h'), ip: '10.0.1' }), 'ip'],
  ['a roleId that is not a UUID', () => ({ hostname: unique('h'), roleId: 'web' }), 'roleId'],
  ['a roleId of no role', () => ({ hostname: unique('h'), roleId: '00000000-0000-4000-8000-000000000002' }), 'roleId'],
  ['a networkId of no network', () => ({ hostname: unique('h'), networkId: '00000000-0000-4000-8000-000000000003' }), 'networkId'],
  ['a one-shot image boot without the image', () => ({ hostname: unique('h'), bootOverride: 'image' }), 'imageOverrideId'],
  ['an unknown boot override', () => ({ hostname: unique('h'), bootOverride: 'windows' }), 'bootOverride'],
  ['spare as a string', () => ({ hostname: unique('h'), spare: 'yes' }), 'spare'],
  ['an unknown property', () => ({ hostname: unique('h'), colour: 'red' }), 'colour'],
  ['state, which only booting sets', () => ({ hostname: unique('h'), state: 'up' }), 'state'],
];

for (const [what, make, field] of invalidHosts) {
  test(`POST with ${what} → 400 naming ${field}`, async () => {
    assert.deepEqual(status(await api.post('/hosts', make())), { status: 400, field });
  });
}

test('PATCH with a bad MAC → 400 naming mac', async () => {
  const host = await createHost(api);
  assert.deepEqual(status(await api.patch(`/hosts/${host.id}`, { mac: 'not-a-mac' })), { status: 400, field: 'mac' });
});

test('PATCH with an unknown property → 400 naming it', async () => {
  const host = await createHost(api);
  assert.deepEqual(status(await api.patch(`/hosts/${host.id}`, { hostnmae: 'typo' })), { status: 400, field: 'hostnmae' });
});

test('a text/plain body → 415', async () => {
  const res = await api.post('/hosts', JSON.stringify({ hostname: unique('h') }), 'text/plain');
  assert.equal(res.status, 415);
});

test('invalid JSON → 400 naming the body', async () => {
  assert.deepEqual(status(await api.post('/hosts', '{hostname: web}', 'application/json')), { status: 400, field: 'body' });
});

test('the same MAC in another spelling → 409 naming mac', async () => {
  const mac = uniqueMac();
  await createHost(api, { mac });
  const res = await api.post('/hosts', { hostname: unique('h'), mac: mac.toUpperCase().replaceAll(':', '-') });
  assert.deepEqual(status(res), { status: 409, field: 'mac' }, JSON.stringify(res.body));
});

test('the same hostname in capitals → 409 naming hostname', async () => {
  const host = await createHost(api);
  const res = await api.post('/hosts', { hostname: host.hostname.toUpperCase() });
  assert.deepEqual(status(res), { status: 409, field: 'hostname' }, JSON.stringify(res.body));
});

test('the same IP on the same network → 409 naming ip', async () => {
  const net = await createNetwork(api);
  await createHost(api, { ip: net.at(20) });
  const res = await api.post('/hosts', { hostname: unique('h'), ip: net.at(20) });
  assert.deepEqual(status(res), { status: 409, field: 'ip' }, JSON.stringify(res.body));
});

test('PATCH taking another host\'s MAC → 409 naming mac', async () => {
  const mac = uniqueMac();
  await createHost(api, { mac });
  const other = await createHost(api);
  assert.deepEqual(status(await api.patch(`/hosts/${other.id}`, { mac })), { status: 409, field: 'mac' });
});

test('PATCH taking another host\'s IP on the same network → 409 naming ip', async () => {
  const net = await createNetwork(api);
  await createHost(api, { ip: net.at(21) });
  const other = await createHost(api, { ip: net.at(22) });
  assert.deepEqual(status(await api.patch(`/hosts/${other.id}`, { ip: net.at(21) })), { status: 409, field: 'ip' });
});

test('the same IP on two networks with the same addressing is allowed (two sites)', async () => {
  const a = await createNetwork(api, { cidr: '172.31.7.0/24', gateway: '172.31.7.1', bootServer: '172.31.7.2', poolStart: '172.31.7.200', poolEnd: '172.31.7.250' });
  const b = await createNetwork(api, { cidr: '172.31.7.0/24', gateway: '172.31.7.1', bootServer: '172.31.7.2', poolStart: '172.31.7.200', poolEnd: '172.31.7.250' });
  await createHost(api, { ip: '172.31.7.10', networkId: a.id });
  const res = await api.post('/hosts', { hostname: unique('h'), ip: '172.31.7.10', networkId: b.id });
  assert.equal(res.status, 201, JSON.stringify(res.body));
});

const addressConflicts: Array<[string, (net: Awaited<ReturnType<typeof createNetwork>>) => Record<string, unknown>]> = [
  ['outside the CIDR of the network named', (net) => ({ networkId: net.id, ip: '192.168.250.10' })],
  ['in no network at all', () => ({ ip: '198.18.77.10' })],
  ['inside the discovery pool', (net) => ({ ip: net.at(210) })],
  ['the gateway', (net) => ({ ip: net.at(1) })],
  ['the boot server', (net) => ({ ip: net.at(2) })],
  ['the network address', (net) => ({ networkId: net.id, ip: net.at(0) })],
  ['the broadcast address', (net) => ({ ip: net.at(255) })],
];

for (const [what, make] of addressConflicts) {
  test(`an IP ${what} → 409 naming ip`, async () => {
    const net = await createNetwork(api);
    const res = await api.post('/hosts', { hostname: unique('h'), ...make(net) });
    assert.deepEqual(status(res), { status: 409, field: 'ip' }, JSON.stringify(res.body));
  });
}

test('PATCH moving a host\'s IP into the discovery pool → 409 naming ip', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(30) });
  assert.deepEqual(status(await api.patch(`/hosts/${host.id}`, { ip: net.at(220) })), { status: 409, field: 'ip' });
});

test('PATCH moving a host to a network whose CIDR does not hold its IP → 409 naming ip', async () => {
  const a = await createNetwork(api);
  const b = await createNetwork(api);
  const host = await createHost(api, { ip: a.at(31) });
  assert.deepEqual(status(await api.patch(`/hosts/${host.id}`, { networkId: b.id })), { status: 409, field: 'ip' });
});

test('a refused change leaves the host as it was', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(32) });
  await api.patch(`/hosts/${host.id}`, { ip: net.at(1), notes: 'should not stick' });
  const read = await api.get(`/hosts/${host.id}`);
  assert.deepEqual({ ip: read.body.ip, notes: read.body.notes }, { ip: net.at(32), notes: '' });
});

/** An image of a new role, made ready as an upload would leave it (or left uploading). */
async function imageFor(ready: boolean): Promise<string> {
  const role = await createRole(api);
  const image = await api.post('/images', { roleId: role.id, version: unique('v') });
  assert.equal(image.status, 201, JSON.stringify(image.body));
  if (ready) {
    await sql(app, `INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 1, '/k'), ($2, 1, '/i') ON CONFLICT DO NOTHING`, ['e'.repeat(64), 'f'.repeat(64)]);
    await sql(app, `UPDATE "Image" SET "kernelSha256" = $2, "initrdSha256" = $3, status = 'ready' WHERE id = $1`, [image.body.id, 'e'.repeat(64), 'f'.repeat(64)]);
  }
  return image.body.id;
}

test('PATCH turning on the one-shot image boot of a host whose image is already chosen → 200', async () => {
  const host = await createHost(api, { imageOverrideId: await imageFor(true) });
  const res = await api.patch(`/hosts/${host.id}`, { bootOverride: 'image' });
  assert.deepEqual({ status: res.status, bootOverride: res.body.bootOverride }, { status: 200, bootOverride: 'image' }, JSON.stringify(res.body));
});

test('PATCH clearing the image of a pending one-shot image boot → 400 naming imageOverrideId', async () => {
  const host = await createHost(api, { bootOverride: 'image', imageOverrideId: await imageFor(true) });
  assert.deepEqual(status(await api.patch(`/hosts/${host.id}`, { imageOverrideId: null })), { status: 400, field: 'imageOverrideId' });
});

test('a one-shot boot of an image still uploading → 400 naming imageOverrideId', async () => {
  const res = await api.post('/hosts', { hostname: unique('h'), bootOverride: 'image', imageOverrideId: await imageFor(false) });
  assert.deepEqual(status(res), { status: 400, field: 'imageOverrideId' }, JSON.stringify(res.body));
});
