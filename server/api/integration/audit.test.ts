// The audit log as GET /api/v1/audit shows it: every change with its actor and before → after;
// refused changes leave no row; secrets never appear.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, unique, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_audit');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

async function auditOf(entity: string, entityId: string): Promise<any[]> {
  const res = await api.get(`/audit?entity=${entity}&entityId=${entityId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

test('creating a network writes one row: admin, create, nothing before, the network after', async () => {
  const net = await createNetwork(api);
  const rows = await auditOf('network', net.id);
  assert.deepEqual(rows.map((r) => ({ actor: r.actor, action: r.action, before: r.before, name: r.after?.name, cidr: r.after?.cidr })), [{ actor: 'admin', action: 'create', before: null, name: net.name, cidr: net.cidr }]);
});

test('changing a network records the lease time before and after', async () => {
  const net = await createNetwork(api);
  await api.patch(`/networks/${net.id}`, { leaseSeconds: 900 });
  const [latest] = await auditOf('network', net.id);
  assert.deepEqual({ action: latest.action, before: latest.before.leaseSeconds, after: latest.after.leaseSeconds }, { action: 'update', before: 3600, after: 900 });
});

test('changing a host records its IP before and after', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(10) });
  await api.patch(`/hosts/${host.id}`, { ip: net.at(11) });
  const [latest] = await auditOf('host', host.id);
  assert.deepEqual({ action: latest.action, before: latest.before.ip, after: latest.after.ip }, { action: 'update', before: net.at(10), after: net.at(11) });
});

test('deleting a role records the role before and nothing after', async () => {
  const role = await createRole(api);
  await api.delete(`/roles/${role.id}`);
  const [latest] = await auditOf('role', role.id);
  assert.deepEqual({ action: latest.action, before: latest.before?.name, after: latest.after }, { action: 'delete', before: role.name, after: null });
});

test('an import writes one row with the count and the hostnames', async () => {
  const p = unique('imp');
  const res = await api.post('/hosts/import', `hostname\n${p}-a\n${p}-b\n`, 'text/csv');
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const rows = (await api.get('/audit?entity=host&limit=50')).body.items.filter((r: any) => r.action === 'import' && r.after?.hostnames?.includes(`${p}-a`));
  assert.deepEqual(rows.map((r: any) => ({ actor: r.actor, count: r.after.count, hostnames: r.after.hostnames })), [{ actor: 'admin', count: 2, hostnames: [`${p}-a`, `${p}-b`] }]);
});

test('a refused import writes no row', async () => {
  const p = unique('refused');
  await api.post('/hosts/import', `hostname,mac\n${p}-a,zz\n`, 'text/csv');
  const rows = (await api.get('/audit?entity=host&limit=50')).body.items.filter((r: any) => JSON.stringify(r).includes(p));
  assert.deepEqual(rows, []);
});

test('a change that changes nothing writes no row; the next real change does', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(13) });
  const same = await api.patch(`/hosts/${host.id}`, { ip: net.at(13), hostname: host.hostname });
  assert.equal(same.status, 200, JSON.stringify(same.body));
  await api.patch(`/networks/${net.id}`, { leaseSeconds: 3600 });
  assert.deepEqual((await auditOf('host', host.id)).map((r) => r.action), ['create']);
  assert.deepEqual((await auditOf('network', net.id)).map((r) => r.action), ['create']);
  await api.patch(`/hosts/${host.id}`, { ip: net.at(14) });
  assert.deepEqual((await auditOf('host', host.id)).map((r) => r.action), ['update', 'create']);
});

test('a refused change writes no row', async () => {
  const net = await createNetwork(api);
  const host = await createHost(api, { ip: net.at(12) });
  const refused = await api.patch(`/hosts/${host.id}`, { ip: net.at(1) });
  assert.equal(refused.status, 409);
  assert.deepEqual((await auditOf('host', host.id)).map((r) => r.action), ['create']);
});

test('a change made with an API token names the token and its owner', async () => {
  const username = unique('script');
  await app.addUser(username, 'a-long-password', 'operator');
  const owner = apiClient(app.url, { cookie: await app.signIn(username, 'a-long-password') });
  const token = await owner.post('/tokens', { name: 'deploy-script' });
  const host = await apiClient(app.url, { token: token.body.secret }).post('/hosts', { hostname: unique('bytoken') });
  const [row] = await auditOf('host', host.body.id);
  assert.deepEqual({ tokenId: row.tokenId, namesOwner: row.actor.includes(username), namesToken: row.actor.includes('deploy-script') }, { tokenId: token.body.token.id, namesOwner: true, namesToken: true });
});

test('a user change is audited without the password hash', async () => {
  const created = await api.post('/users', { username: unique('audited'), password: 'a-long-password', role: 'viewer' });
  const [row] = await auditOf('user', created.body.id);
  assert.deepEqual({ action: row.action, role: row.after.role, hash: JSON.stringify(row).includes('scrypt') || 'passwordHash' in row.after }, { action: 'create', role: 'viewer', hash: false });
});

test('a host\'s BMC password never appears in the audit log', async () => {
  const host = await createHost(api, { bmcAddress: '10.250.1.5', bmcPassword: 'super-secret-bmc' });
  await api.patch(`/hosts/${host.id}`, { bmcPassword: 'another-secret-bmc' });
  const text = JSON.stringify(await auditOf('host', host.id));
  assert.deepEqual({ first: text.includes('super-secret-bmc'), second: text.includes('another-secret-bmc') }, { first: false, second: false });
});

test('revoking a token is audited with the time it was revoked', async () => {
  const token = await api.post('/tokens', { name: unique('rev') });
  await api.delete(`/tokens/${token.body.token.id}`);
  const [row] = await auditOf('token', token.body.token.id);
  assert.deepEqual({ action: row.action, before: row.before.revokedAt, revoked: typeof row.after.revokedAt }, { action: 'revoke', before: null, revoked: 'string' });
});

test('the log pages newest first with nextBefore: every row once', async () => {
  const host = await createHost(api);
  for (let i = 0; i < 5; i++) await api.patch(`/hosts/${host.id}`, { notes: `change ${i}` });
  const seen: any[] = [];
  let beforeId: string | null = null;
  do {
    const res: { body: any } = await api.get(`/audit?entity=host&entityId=${host.id}&limit=2${beforeId ? `&before=${beforeId}` : ''}`);
    seen.push(...res.body.items);
    beforeId = res.body.nextBefore;
  } while (beforeId);
  assert.deepEqual(seen.map((r) => r.after?.notes ?? r.action), ['change 4', 'change 3', 'change 2', 'change 1', 'change 0', '']);
});

test('a before that is not a number → 400 naming before', async () => {
  const res = await api.get('/audit?before=yesterday');
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'before' });
});
