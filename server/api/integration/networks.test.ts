// /api/v1/networks through the real web process: CRUD, validation naming the field, duplicates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, unique, uniqueSubnet, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_networks');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

function networkBody(extra: Record<string, unknown> = {}) {
  const s = uniqueSubnet();
  return { body: { name: unique('net'), cidr: s.cidr, gateway: s.at(1), poolStart: s.at(100), poolEnd: s.at(199), ...extra }, at: s.at, cidr: s.cidr };
}

test('a created network reads back with its addressing and defaults', async () => {
  const { body, at } = networkBody({ dnsServers: ['10.0.0.53'], domain: 'lab.example' });
  const created = await api.post('/networks', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const read = await api.get(`/networks/${created.body.id}`);
  assert.deepEqual(
    { name: read.body.name, cidr: read.body.cidr, gateway: read.body.gateway, poolStart: read.body.poolStart, poolEnd: read.body.poolEnd, dnsServers: read.body.dnsServers, domain: read.body.domain, leaseSeconds: read.body.leaseSeconds },
    { name: body.name, cidr: body.cidr, gateway: at(1), poolStart: at(100), poolEnd: at(199), dnsServers: ['10.0.0.53'], domain: 'lab.example', leaseSeconds: 3600 },
  );
});

test('PATCH changes only the fields given', async () => {
  const net = await createNetwork(api);
  const res = await api.patch(`/networks/${net.id}`, { leaseSeconds: 600 });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const read = await api.get(`/networks/${net.id}`);
  assert.deepEqual({ leaseSeconds: read.body.leaseSeconds, cidr: read.body.cidr, name: read.body.name }, { leaseSeconds: 600, cidr: net.cidr, name: net.name });
});

test('DELETE removes the network: 204, then 404', async () => {
  const net = await createNetwork(api);
  const del = await api.delete(`/networks/${net.id}`);
  assert.equal(del.status, 204);
  const read = await api.get(`/networks/${net.id}`);
  assert.equal(read.status, 404);
});

test('deleting a network that still has hosts → 409, and the hosts keep their network', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(10) });
  const del = await api.delete(`/networks/${net.id}`);
  const read = await api.get(`/hosts/${host.id}`);
  assert.deepEqual({ status: del.status, networkId: read.body.networkId }, { status: 409, networkId: net.id }, JSON.stringify(del.body));
});

test('GET of an id that is not a UUID is 404, not a server error', async () => {
  const res = await api.get('/networks/not-a-network-id');
  assert.equal(res.status, 404, JSON.stringify(res.body));
});

test('PATCH and DELETE of an unknown network are 404', async () => {
  const id = '00000000-0000-4000-8000-000000000000';
  assert.deepEqual([(await api.patch(`/networks/${id}`, { leaseSeconds: 600 })).status, (await api.delete(`/networks/${id}`)).status], [404, 404]);
});

const invalidBodies: Array<[string, (b: ReturnType<typeof networkBody>) => Record<string, unknown>, string]> = [
  ['a CIDR that is not one', (b) => ({ ...b.body, cidr: '10.1.2.0/33' }), 'cidr'],
  ['a CIDR with host bits set', (b) => ({ ...b.body, cidr: b.cidr.replace('.0/24', '.7/24') }), 'cidr'],
  ['a gateway that is not an IP', (b) => ({ ...b.body, gateway: '10.1.2.300' }), 'gateway'],
  ['a gateway outside the CIDR', (b) => ({ ...b.body, gateway: '192.168.77.1' }), 'gateway'],
  ['a pool start outside the CIDR', (b) => ({ ...b.body, poolStart: '192.168.77.100' }), 'poolStart'],
  ['a pool end outside the CIDR', (b) => ({ ...b.body, poolEnd: '192.168.77.199' }), 'poolEnd'],
  ['only the pool start', (b) => ({ ...b.body, poolEnd: undefined }), 'poolEnd'],
  ['only the pool end', (b) => ({ ...b.body, poolStart: undefined }), 'poolStart'],
  ['a pool whose end is below its start', (b) => ({ ...b.body, poolStart: b.at(199), poolEnd: b.at(100) }), 'poolEnd'],
  ['a bad DNS server', (b) => ({ ...b.body, dnsServers: ['10.0.0.53', 'dns.example'] }), 'dnsServers.1'],
  ['a name with spaces', (b) => ({ ...b.body, name: 'my lab' }), 'name'],
  ['a lease time below a minute', (b) => ({ ...b.body, leaseSeconds: 5 }), 'leaseSeconds'],
  ['an unknown property', (b) => ({ ...b.body, vlan: 12 }), 'vlan'],
  ['no CIDR', (b) => ({ ...b.body, cidr: undefined }), 'cidr'],
];

for (const [what, make, field] of invalidBodies) {
  test(`POST with ${what} → 400 naming ${field}`, async () => {
    const res = await api.post('/networks', make(networkBody()));
    assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field }, JSON.stringify(res.body));
  });
}

test('a body that is not JSON → 400 naming the body', async () => {
  const res = await api.post('/networks', '{"name": "x", ', 'application/json');
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'body' });
});

test('a form-encoded body → 415', async () => {
  const res = await api.post('/networks', 'name=x&cidr=10.0.0.0/24', 'application/x-www-form-urlencoded');
  assert.equal(res.status, 415);
});

test('a second network with the same name → 409 naming name', async () => {
  const net = await createNetwork(api);
  const res = await api.post('/networks', { ...networkBody().body, name: net.name });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'name' }, JSON.stringify(res.body));
});

test('a network whose name differs only in case → 409 naming name', async () => {
  const net = await createNetwork(api);
  const res = await api.post('/networks', { ...networkBody().body, name: net.name.toUpperCase() });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'name' }, JSON.stringify(res.body));
});

test('PATCH to a CIDR that no longer holds the pool → 400 naming the pool', async () => {
  const net = await createNetwork(api);
  const other = uniqueSubnet();
  const res = await api.patch(`/networks/${net.id}`, { cidr: other.cidr, gateway: other.at(1), bootServer: other.at(2) });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'poolStart' }, JSON.stringify(res.body));
});

test('PATCH removing one end of the pool → 400', async () => {
  const net = await createNetwork(api);
  const res = await api.patch(`/networks/${net.id}`, { poolEnd: null });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'poolEnd' }, JSON.stringify(res.body));
});

test('PATCH with an unknown property → 400 naming it', async () => {
  const net = await createNetwork(api);
  const res = await api.patch(`/networks/${net.id}`, { vlan: 12 });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'vlan' }, JSON.stringify(res.body));
});

test('PATCH to a CIDR that would leave a host outside it → 409 naming cidr', async () => {
  const net = await createNetwork(api);
  await createHost(api, { ip: net.at(150) });
  // 10.x.y.0/25 still holds the gateway and boot server but not .150 (nor the pool: move it too).
  const narrow = net.cidr.replace('/24', '/25');
  const res = await api.patch(`/networks/${net.id}`, { cidr: narrow, poolStart: net.at(100), poolEnd: net.at(120) });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'cidr' }, JSON.stringify(res.body));
});

test('PATCH moving the discovery pool over a reserved host address → 409 naming the pool', async () => {
  const net = await createNetwork(api);
  await createHost(api, { ip: net.at(150) });
  const res = await api.patch(`/networks/${net.id}`, { poolStart: net.at(140), poolEnd: net.at(160) });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'poolStart' }, JSON.stringify(res.body));
});

test('PATCH making a reserved host address the gateway → 409 naming gateway', async () => {
  const net = await createNetwork(api);
  await createHost(api, { ip: net.at(50) });
  const res = await api.patch(`/networks/${net.id}`, { gateway: net.at(50) });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'gateway' }, JSON.stringify(res.body));
});

test('the list filters by q on the name and reports the host count', async () => {
  const tag = unique('findme');
  const net = await createNetwork(api, { name: `${tag}-a` });
  await createHost(api, { ip: net.at(10) });
  await createNetwork(api);
  const res = await api.get(`/networks?q=${tag}`);
  assert.deepEqual(res.body.items.map((n: any) => [n.name, n.hostCount]), [[`${tag}-a`, 1]]);
});

test('IPv6: prefix, DHCPv6 pool and boot server are stored in RFC 5952 form; a host reserves an IPv6 address inside the prefix', async () => {
  const { body } = networkBody({ ipv6Prefix: 'FD77:0077:0:0::/64', ipv6PoolStart: 'fd77:77::1000', ipv6PoolEnd: 'fd77:77:0:0:0:0:0:1fff', ipv6BootServer: 'fd77:77::1' });
  const created = await api.post('/networks', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const read = await api.get(`/networks/${created.body.id}`);
  assert.deepEqual(
    { p: read.body.ipv6Prefix, s: read.body.ipv6PoolStart, e: read.body.ipv6PoolEnd, b: read.body.ipv6BootServer },
    { p: 'fd77:77::/64', s: 'fd77:77::1000', e: 'fd77:77::1fff', b: 'fd77:77::1' },
  );
  const host = await api.post('/hosts', { hostname: unique('host'), networkId: created.body.id, ipv6: 'fd77:77:0::21' });
  assert.equal(host.status, 201, JSON.stringify(host.body));
  assert.equal(host.body.ipv6, 'fd77:77::21');
  const inPool = await api.post('/hosts', { hostname: unique('host'), networkId: created.body.id, ipv6: 'fd77:77::1001' });
  assert.deepEqual({ status: inPool.status, field: inPool.body.field }, { status: 409, field: 'ipv6' }, JSON.stringify(inPool.body));
  const outside = await api.post('/hosts', { hostname: unique('host'), networkId: created.body.id, ipv6: 'fd77:78::21' });
  assert.deepEqual({ status: outside.status, field: outside.body.field }, { status: 409, field: 'ipv6' }, JSON.stringify(outside.body));
  // A new prefix that would leave the reservation outside it is refused, naming the prefix.
  const moved = await api.patch(`/networks/${created.body.id}`, { ipv6Prefix: 'fd77:99::/64', ipv6PoolStart: null, ipv6PoolEnd: null, ipv6BootServer: null });
  assert.deepEqual({ status: moved.status, field: moved.body.field }, { status: 409, field: 'ipv6Prefix' }, JSON.stringify(moved.body));
});

test('IPv6: a bad prefix, a pool outside it, half a pool or a pool without a prefix → 400 naming the field', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ipv6Prefix: 'fd77::/200' }, 'ipv6Prefix'],
    [{ ipv6Prefix: 'fd77::1/64' }, 'ipv6Prefix'],
    [{ ipv6Prefix: 'fd77::/64', ipv6PoolStart: 'fd78::1', ipv6PoolEnd: 'fd77::ff' }, 'ipv6PoolStart'],
    [{ ipv6Prefix: 'fd77::/64', ipv6PoolStart: 'fd77::1' }, 'ipv6PoolEnd'],
    [{ ipv6Prefix: 'fd77::/64', ipv6PoolStart: 'fd77::ff', ipv6PoolEnd: 'fd77::1' }, 'ipv6PoolEnd'],
    [{ ipv6PoolStart: 'fd77::1', ipv6PoolEnd: 'fd77::ff' }, 'ipv6PoolStart'],
    [{ ipv6BootServer: 'not-an-address' }, 'ipv6BootServer'],
  ];
  for (const [extra, field] of cases) {
    const res = await api.post('/networks', networkBody(extra).body);
    assert.deepEqual({ status: res.status, field: res.body.field }, { status: 400, field }, `${JSON.stringify(extra)}: ${JSON.stringify(res.body)}`);
  }
});
