// Find anything through the real web process: the global search finds a host by its MAC as an
// operator pastes it, a role, an image and a network; saved filters are per user, checked with
// the hosts list's own schema, and deleted only by their owner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_search');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

test('the global search finds a host by its MAC written AA-BB-…, with its count', async () => {
  const mac = uniqueMac();
  const host = await createHost(api, { mac });
  const res = await api.get(`/search?q=${mac.toUpperCase().replace(/:/g, '-')}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual({ total: res.body.hosts.total, first: res.body.hosts.items[0]?.label, href: res.body.hosts.items[0]?.href }, { total: 1, first: host.hostname, href: `/hosts/${host.id}` });
});

test('the global search finds roles by name, images by version or role, networks by name or CIDR', async () => {
  const role = await createRole(api, { name: unique('searchrole') });
  const image = await api.post('/images', { roleId: role.id, version: unique('v9') });
  const net = await createNetwork(api);
  const byRole = await api.get(`/search?q=${role.name.toUpperCase()}`);
  const byVersion = await api.get(`/search?q=${image.body.version}`);
  const byCidr = await api.get(`/search?q=${net.cidr.split('/')[0]}`);
  assert.deepEqual(
    { role: byRole.body.roles.items.map((r: any) => r.label), imageByRole: byRole.body.images.items.map((i: any) => i.id), image: byVersion.body.images.items.map((i: any) => i.id), network: byCidr.body.networks.items.map((n: any) => n.label) },
    { role: [role.name], imageByRole: [image.body.id], image: [image.body.id], network: [net.name] },
  );
});

test('the global search without a term, or with an unknown parameter, is 400 naming it', async () => {
  assert.deepEqual([status(await api.get('/search')), status(await api.get('/search?q=x&kind=host'))], [{ status: 400, field: 'q' }, { status: 400, field: 'kind' }]);
});

test('a saved filter round trip: saved, listed for its owner only, refused twice by name, deleted by its owner only', async () => {
  const role = await createRole(api);
  const name = unique('failed web');
  const saved = await api.post('/saved-filters', { name, query: `?role=${role.name}&state=failed` });
  assert.equal(saved.status, 201, JSON.stringify(saved.body));
  const other = unique('viewer');
  await app.addUser(other, 'viewer-password-long', 'viewer');
  const viewer = apiClient(app.url, { cookie: await app.signIn(other, 'viewer-password-long') });
  const mine = (await api.get('/saved-filters')).body.items.filter((f: any) => f.name === name);
  assert.deepEqual(
    {
      href: mine[0]?.href,
      theirs: (await viewer.get('/saved-filters')).body.items.length,
      again: status(await api.post('/saved-filters', { name: name.toUpperCase(), query: 'state=up' })),
      theirDelete: (await viewer.delete(`/saved-filters/${saved.body.id}`)).status,
      ownDelete: (await api.delete(`/saved-filters/${saved.body.id}`)).status,
      left: (await api.get('/saved-filters')).body.items.filter((f: any) => f.name === name).length,
    },
    { href: `/hosts?role=${role.name}&state=failed`, theirs: 0, again: { status: 409, field: 'name' }, theirDelete: 404, ownDelete: 204, left: 0 },
  );
});

test('a saved filter whose query the hosts list would refuse is 400 naming query', async () => {
  assert.deepEqual(
    [status(await api.post('/saved-filters', { name: unique('f'), query: 'colour=red' })), status(await api.post('/saved-filters', { name: unique('f'), query: 'state=sleeping' })), status(await api.post('/saved-filters', { name: '', query: 'state=up' }))],
    [{ status: 400, field: 'query' }, { status: 400, field: 'query' }, { status: 400, field: 'name' }],
  );
});
