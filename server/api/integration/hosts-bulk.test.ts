// POST /hosts/bulk through the real web process: a dry run changes nothing and says what would,
// a change by filter reaches every matching host (across pages) in one audit entry, one host
// that can't take a change stops all of them, limits and bad input are 4xx naming the field,
// and a viewer may not. Also GET /hosts's filters by name and its refusal of unknown parameters.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, unique, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_bulk');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

/** n hosts of the role through the import API (hostnames <prefix>-000…). */
async function importHosts(n: number, role: { name: string }, row: (i: number) => Record<string, unknown> = () => ({})) {
  const prefix = unique('bulk');
  const res = await api.post('/hosts/import', Array.from({ length: n }, (_, i) => ({ hostname: `${prefix}-${String(i).padStart(3, '0')}`, role: role.name, ...row(i) })));
  assert.equal(res.status, 201, JSON.stringify(res.body).slice(0, 500));
  return prefix;
}

async function hostsOf(query: string): Promise<any[]> {
  const res = await api.get(`/hosts?${query}&limit=500`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function bulkAudits(): Promise<any[]> {
  return (await api.get('/audit?entity=host&limit=20')).body.items.filter((r: any) => r.action.startsWith('bulk-'));
}

test('a dry run by filter answers each host\'s change and changes nothing', async () => {
  const [from, to] = [await createRole(api), await createRole(api)];
  await importHosts(3, from);
  const auditsBefore = (await bulkAudits()).length;
  const res = await api.post('/hosts/bulk', { filter: { role: from.name }, action: 'update', set: { roleId: to.id }, dryRun: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    { matched: res.body.matched, changed: res.body.changed, change: res.body.hosts[0].changes, stillFrom: (await hostsOf(`roleId=${from.id}`)).length, audits: (await bulkAudits()).length },
    { matched: 3, changed: 3, change: [{ field: 'roleId', from: { id: from.id, name: from.name }, to: { id: to.id, name: to.name } }], stillFrom: 3, audits: auditsBefore },
  );
});

test('a role change by filter reaches every matching host past one page, in one audit entry naming them', async () => {
  const [from, to] = [await createRole(api), await createRole(api)];
  const prefix = await importHosts(120, from);
  const res = await api.post('/hosts/bulk', { filter: { role: from.name }, action: 'update', set: { roleId: to.id }, expectedCount: 120 });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const [audit] = await bulkAudits();
  const audited: string[] = audit.before.hosts.map((h: any) => h.hostname).sort();
  assert.deepEqual(
    { changed: res.body.changed, moved: (await hostsOf(`role=${to.name}`)).length, left: (await hostsOf(`roleId=${from.id}`)).length, action: audit.action, audited: audited.length, first: audited[0], set: audit.after.set },
    { changed: 120, moved: 120, left: 0, action: 'bulk-update', audited: 120, first: `${prefix}-000`, set: { roleId: to.id } },
  );
});

test('hosts already as asked are counted unchanged and left out of the audit', async () => {
  const role = await createRole(api);
  const a = await createHost(api, { roleId: role.id, spare: true } as Record<string, unknown>);
  const b = await createHost(api, { roleId: role.id });
  const res = await api.post('/hosts/bulk', { hostIds: [a.id, b.id], action: 'update', set: { spare: true, bootEnabled: false } });
  assert.deepEqual({ status: res.status, changed: res.body.changed, unchanged: res.body.unchanged, spare: (await hostsOf(`roleId=${role.id}&spare=true`)).length, booting: (await hostsOf(`roleId=${role.id}`)).map((h) => h.bootEnabled) }, { status: 200, changed: 2, unchanged: 0, spare: 2, booting: [false, false] });
  const again = await api.post('/hosts/bulk', { hostIds: [a.id, b.id], action: 'update', set: { spare: true } });
  assert.deepEqual({ changed: again.body.changed, unchanged: again.body.unchanged }, { changed: 0, unchanged: 2 });
});

test('one host whose address is outside the new network stops the whole change (409, nothing changed); the dry run names it', async () => {
  const [here, there] = [await createNetwork(api), await createNetwork(api)];
  const role = await createRole(api);
  const fits = await createHost(api, { roleId: role.id });
  const outside = await createHost(api, { roleId: role.id, ip: here.at(10) });
  const dry = await api.post('/hosts/bulk', { filter: { roleId: role.id }, action: 'update', set: { networkId: there.id }, dryRun: true });
  assert.deepEqual(dry.body.problems.map((p: any) => [p.hostname, p.field]), [[outside.hostname, 'set.networkId']]);
  const res = await api.post('/hosts/bulk', { filter: { roleId: role.id }, action: 'update', set: { networkId: there.id } });
  const after = await hostsOf(`roleId=${role.id}`);
  assert.deepEqual(
    { ...status(res), named: String(res.body.error).includes(outside.hostname), networks: after.map((h) => [h.hostname, h.networkId]).sort() },
    { status: 409, field: 'set.networkId', named: true, networks: [[fits.hostname, null], [outside.hostname, here.id]].sort() },
  );
});

test('a one-shot override and network boot off on a selection; an image override without an image is refused', async () => {
  const role = await createRole(api);
  const host = await createHost(api, { roleId: role.id });
  const ok = await api.post('/hosts/bulk', { hostIds: [host.id], action: 'update', set: { bootOverride: 'rescue' } });
  const bad = await api.post('/hosts/bulk', { hostIds: [host.id], action: 'update', set: { bootOverride: 'image' } });
  assert.deepEqual({ ok: ok.status, override: (await api.get(`/hosts/${host.id}`)).body.bootOverride, bad: status(bad) }, { ok: 200, override: 'rescue', bad: { status: 409, field: 'set.imageOverrideId' } });
});

test('a delete by ids removes every host in one audit entry', async () => {
  const role = await createRole(api);
  const hosts = [await createHost(api, { roleId: role.id }), await createHost(api, { roleId: role.id })];
  const res = await api.post('/hosts/bulk', { hostIds: hosts.map((h) => h.id), action: 'delete', expectedCount: 2 });
  const [audit] = await bulkAudits();
  assert.deepEqual(
    { status: res.status, changed: res.body.changed, left: (await hostsOf(`roleId=${role.id}`)).length, action: audit.action, audited: audit.before.hosts.map((h: any) => h.hostname).sort() },
    { status: 200, changed: 2, left: 0, action: 'bulk-delete', audited: hosts.map((h) => h.hostname).sort() },
  );
});

test('a power action on hosts without a BMC: the dry run names them, the action is refused (409)', async () => {
  const role = await createRole(api);
  const host = await createHost(api, { roleId: role.id });
  const dry = await api.post('/hosts/bulk', { filter: { roleId: role.id }, action: 'power', power: 'cycle', dryRun: true });
  const res = await api.post('/hosts/bulk', { filter: { roleId: role.id }, action: 'power', power: 'cycle' });
  assert.deepEqual({ problems: dry.body.problems.map((p: any) => [p.hostname, p.message]), res: status(res) }, { problems: [[host.hostname, 'has no BMC']], res: { status: 409, field: 'hostIds' } });
});

test('a selection that changed since it was confirmed is refused (409 expectedCount)', async () => {
  const [role, other] = [await createRole(api), await createRole(api)];
  await importHosts(3, role);
  const res = await api.post('/hosts/bulk', { filter: { roleId: role.id }, action: 'update', set: { roleId: other.id }, expectedCount: 2 });
  assert.deepEqual({ ...status(res), left: (await hostsOf(`roleId=${role.id}`)).length }, { status: 409, field: 'expectedCount', left: 3 });
});

const badBodies: Array<[string, Record<string, unknown>, string]> = [
  ['neither hostIds nor filter', { action: 'update', set: { spare: true } }, 'hostIds'],
  ['both hostIds and filter', { hostIds: [randomUUID()], filter: {}, action: 'delete' }, 'hostIds'],
  ['an id that names no host', { hostIds: [randomUUID()], action: 'delete' }, 'hostIds'],
  ['more ids than one action takes', { hostIds: Array.from({ length: 20_001 }, () => randomUUID()), action: 'delete' }, 'hostIds'],
  ['an unknown filter key', { filter: { roleName: 'web' }, action: 'delete' }, 'filter.roleName'],
  ['a role name that names no role', { filter: { role: 'no-such-role-anywhere' }, action: 'delete' }, 'filter.role'],
  ['nothing to set', { filter: {}, action: 'update', set: {} }, 'set'],
  ['a field a bulk change may not set', { filter: {}, action: 'update', set: { hostname: 'x' } }, 'set.hostname'],
  ['a filter that matches no host', { filter: { q: 'zzz-matches-nothing' }, action: 'update', set: { spare: true } }, 'filter'],
  ['an unknown action', { filter: {}, action: 'rename' }, 'action'],
  ['a power action the queue does not take', { filter: {}, action: 'power', power: 'status' }, 'power'],
];

for (const [what, body, field] of badBodies) {
  test(`bulk with ${what} → 4xx naming ${field}`, async () => {
    const res = await api.post('/hosts/bulk', body);
    assert.equal(res.status >= 400 && res.status < 500, true, JSON.stringify(res.body));
    assert.equal(res.body.field, field, JSON.stringify(res.body));
  });
}

test('a role named in set that does not exist → 400 set.roleId', async () => {
  const host = await createHost(api);
  assert.deepEqual(status(await api.post('/hosts/bulk', { hostIds: [host.id], action: 'update', set: { roleId: randomUUID() } })), { status: 400, field: 'set.roleId' });
});

test('a viewer may not act in bulk (403), nobody signed in gets 401', async () => {
  const host = await createHost(api);
  const name = unique('viewer');
  await app.addUser(name, 'viewer-password-long', 'viewer');
  const viewer = apiClient(app.url, { cookie: await app.signIn(name, 'viewer-password-long') });
  const anonymous = apiClient(app.url, {});
  const body = { hostIds: [host.id], action: 'delete' };
  assert.deepEqual({ viewer: (await viewer.post('/hosts/bulk', body)).status, anonymous: (await anonymous.post('/hosts/bulk', body)).status, still: (await api.get(`/hosts/${host.id}`)).status }, { viewer: 403, anonymous: 401, still: 200 });
});

test('GET /hosts: role and network filter by name; an unknown name or query parameter is 400 naming it', async () => {
  const role = await createRole(api);
  const net = await createNetwork(api);
  const host = await createHost(api, { roleId: role.id, ip: net.at(20) });
  await createHost(api, { roleId: role.id });
  assert.deepEqual((await hostsOf(`role=${role.name.toUpperCase()}&network=${net.name}`)).map((h) => h.hostname), [host.hostname]);
  const unknown = await api.get('/hosts?role_id=x&colour=red');
  assert.deepEqual({ ...status(unknown), both: String(unknown.body.error).includes('role_id, colour') }, { status: 400, field: 'role_id', both: true });
  assert.deepEqual(status(await api.get('/hosts?network=no-such-network-here')), { status: 400, field: 'network' });
});
