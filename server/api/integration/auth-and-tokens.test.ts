// Who may do what: no credentials → 401, viewer → 403 on every mutating route (found by walking
// app/api/v1), operators don't manage users, sessions end when they should, API tokens (bearer)
// work until revoked or expired and never carry more rights than their owner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, sql, unique, type Api } from './fixtures.ts';
import { routeFiles } from './route-files.ts';


let app: TestWebApp;
let admin: Api;
before(async () => {
  app = await startTestWebApp('api_auth');
  admin = apiClient(app.url, { cookie: await app.signIn() });
  await createTargets();
});
after(async () => { await app?.stop(); });

/** A new user of that role, signed in. */
async function userApi(role: 'admin' | 'operator' | 'viewer'): Promise<{ api: Api; username: string; cookie: string }> {
  const username = unique(role);
  await app.addUser(username, 'a-long-password', role);
  const cookie = await app.signIn(username, 'a-long-password');
  return { api: apiClient(app.url, { cookie }), username, cookie };
}

async function userId(username: string): Promise<string> {
  const res = await admin.get('/users');
  const u = res.body.items.find((x: any) => x.username === username);
  assert.ok(u, `user ${username} listed`);
  return u.id;
}

async function newToken(api: Api, body: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const res = await api.post('/tokens', { name: unique('tok'), ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.token.id, secret: res.body.secret };
}

// --- no credentials -------------------------------------------------------------------------

test('GET /hosts without a cookie or token → 401', async () => {
  assert.equal((await apiClient(app.url, {}).get('/hosts')).status, 401);
});

test('POST /hosts without a cookie or token → 401, and no host is created', async () => {
  const name = unique('anon');
  const res = await apiClient(app.url, {}).post('/hosts', { hostname: name });
  const found = await admin.get(`/hosts?q=${name}`);
  assert.deepEqual({ status: res.status, created: found.body.total }, { status: 401, created: 0 });
});

test('a made-up session cookie → 401', async () => {
  assert.equal((await apiClient(app.url, { cookie: 'fleetboot_session=forged' }).get('/hosts')).status, 401);
});

test('a wrong password → 401', async () => {
  const res = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'not-the-password' }) });
  assert.equal(res.status, 401);
});

test('after sign-out the session cookie no longer works', async () => {
  const { cookie } = await userApi('viewer');
  await fetch(`${app.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, origin: app.url } });
  assert.equal((await apiClient(app.url, { cookie }).get('/hosts')).status, 401);
});

test('an expired session → 401', async () => {
  const { api, username } = await userApi('viewer');
  await sql(app, `UPDATE "UserSession" SET "expiresAt" = now() - interval '1 minute' WHERE "userId" = $1`, [await userId(username)]);
  assert.equal((await api.get('/hosts')).status, 401);
});

// --- viewer: 403 on every mutating route ----------------------------------------------------

/** Every POST/PUT/PATCH/DELETE under app/api/v1, as "METHOD /path/{id}". */
function mutatingRoutes(): string[] {
  return routeFiles().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.route}`).sort();
}

/** Routes anyone signed in (or anyone at all) may call: signing in and out, one's own tokens and saved filters. */
const openToViewers = new Set(['POST /auth/login', 'POST /auth/logout', 'POST /auth/password', 'POST /tokens', 'DELETE /tokens/{id}', 'POST /saved-filters', 'DELETE /saved-filters/{id}']);

const ids: Record<string, string> = {};
/** Records for the viewer to try to change (called from the one before() hook above). */
async function createTargets() {
  const net = await createNetwork(admin);
  const role = await createRole(admin);
  const image = await admin.post('/images', { roleId: role.id, version: '1.0.0' });
  const host = await createHost(admin, { ip: net.at(10) });
  const user = await admin.post('/users', { username: unique('target'), password: 'a-long-password', role: 'viewer' });
  Object.assign(ids, { networks: net.id, roles: role.id, images: image.body.id, hosts: host.id, users: user.body.id, roleName: role.name });
}

/** A request that would succeed for an admin, so that only the role can explain a refusal. */
const viewerAttempts: Record<string, () => { path: string; body?: unknown; contentType?: string }> = {
  'POST /networks': () => ({ path: '/networks', body: { name: unique('vnet'), cidr: '10.250.250.0/24' } }),
  'POST /boot-servers': () => ({ path: '/boot-servers', body: { name: unique('vbootd'), site: 'viewer was here' } }),
  // Refused before the record is looked up: any id will do.
  'DELETE /boot-servers/{id}': () => ({ path: '/boot-servers/00000000-0000-4000-8000-000000000000' }),
  'PATCH /networks/{id}': () => ({ path: `/networks/${ids.networks}`, body: { leaseSeconds: 900 } }),
  'DELETE /networks/{id}': () => ({ path: `/networks/${ids.networks}` }),
  'POST /roles': () => ({ path: '/roles', body: { name: unique('vrole') } }),
  'PATCH /roles/{id}': () => ({ path: `/roles/${ids.roles}`, body: { description: 'viewer was here' } }),
  'DELETE /roles/{id}': () => ({ path: `/roles/${ids.roles}` }),
  'POST /images': () => ({ path: '/images', body: { roleId: ids.roles, version: unique('v') } }),
  'PATCH /images/{id}': () => ({ path: `/images/${ids.images}`, body: { notes: 'viewer was here' } }),
  'DELETE /images/{id}': () => ({ path: `/images/${ids.images}` }),
  'POST /hosts': () => ({ path: '/hosts', body: { hostname: unique('vhost') } }),
  'PATCH /hosts/{id}': () => ({ path: `/hosts/${ids.hosts}`, body: { spare: true } }),
  'DELETE /hosts/{id}': () => ({ path: `/hosts/${ids.hosts}` }),
  'POST /hosts/bulk': () => ({ path: '/hosts/bulk', body: { filter: {}, action: 'update', set: { spare: false }, dryRun: true } }),
  'POST /hosts/import': () => ({ path: '/hosts/import', body: `hostname\n${unique('vimp')}\n`, contentType: 'text/csv' }),
  'POST /discovered/{mac}/claim': () => ({ path: '/discovered/02:00:5e:00:53:01/claim', body: { hostId: ids.hosts } }),
  'POST /users': () => ({ path: '/users', body: { username: unique('vuser'), password: 'a-long-password', role: 'admin' } }),
  'PATCH /users/{id}': () => ({ path: `/users/${ids.users}`, body: { role: 'admin' } }),
  'PATCH /settings': () => ({ path: '/settings', body: { tokenMaxDays: 30 } }),
  'DELETE /sign-in-throttles/{id}': () => ({ path: `/sign-in-throttles/${ids.users}` }),
  // Image lifecycle and power (ids need not exist: the role is checked before the record).
  'PUT /images/{id}/artifacts/{kind}': () => ({ path: `/images/${ids.images}/artifacts/kernel`, body: 'kernel bytes', contentType: 'application/octet-stream' }),
  'POST /images/{id}/artifacts/{kind}': () => ({ path: `/images/${ids.images}/artifacts/kernel`, body: '--b\r\nContent-Disposition: form-data; name="kernel"; filename="k"\r\n\r\nkernel bytes\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' }),
  'POST /images/{id}/artifacts/{kind}/uploads': () => ({ path: `/images/${ids.images}/artifacts/kernel/uploads`, body: { sizeBytes: 12 } }),
  'PATCH /uploads/{id}': () => ({ path: `/uploads/${ids.images}`, body: {} }),
  'DELETE /uploads/{id}': () => ({ path: `/uploads/${ids.images}` }),
  'POST /images/{id}/stage': () => ({ path: `/images/${ids.images}/stage`, body: {} }),
  'POST /images/{id}/promote': () => ({ path: `/images/${ids.images}/promote`, body: { rollout: false } }),
  'POST /stages/{id}/cancel': () => ({ path: `/stages/${ids.images}/cancel` }),
  'POST /roles/{id}/rollback': () => ({ path: `/roles/${ids.roles}/rollback`, body: {} }),
  'POST /rollouts/{id}/pause': () => ({ path: `/rollouts/${ids.roles}/pause` }),
  'POST /rollouts/{id}/resume': () => ({ path: `/rollouts/${ids.roles}/resume` }),
  'POST /rollouts/{id}/abort': () => ({ path: `/rollouts/${ids.roles}/abort` }),
  'POST /hosts/{id}/power': () => ({ path: `/hosts/${ids.hosts}/power`, body: { action: 'status' } }),
  'POST /power': () => ({ path: '/power', body: { action: 'status', hostIds: [ids.hosts] } }),
  'POST /power/actions/{id}/cancel': () => ({ path: `/power/actions/${ids.hosts}/cancel` }),
};

/** apiClient has no PUT (only the artifact upload uses it): the viewer's raw request. */
async function put(p: string, body: unknown, contentType = 'application/octet-stream') {
  const { cookie } = await userApi('viewer');
  const res = await fetch(`${app.url}/api/v1${p}`, { method: 'PUT', headers: { cookie, origin: app.url, 'content-type': contentType }, body: String(body) });
  return { status: res.status, body: await res.json() };
}

for (const route of mutatingRoutes().filter((r) => !openToViewers.has(r))) {
  test(`a viewer gets 403 on ${route}`, async () => {
    const attempt = viewerAttempts[route];
    assert.ok(attempt, `no request for ${route} in this test's table: add one`);
    const { api } = await userApi('viewer');
    const { path: p, body, contentType } = attempt();
    const method = route.split(' ')[0]!;
    const res = method === 'DELETE' ? await api.delete(p) : method === 'PATCH' ? await api.patch(p, body) : method === 'PUT' ? await put(p, body, contentType) : await api.post(p, body, contentType);
    assert.equal(res.status, 403, JSON.stringify(res.body));
  });
}

test('the route walk found the mutating routes (the 403 tests are not vacuous)', () => {
  assert.ok(mutatingRoutes().includes('POST /hosts') && mutatingRoutes().length >= 15, mutatingRoutes().join(', '));
});

test('a viewer reads hosts, networks, roles, images, events and audit', async () => {
  const { api } = await userApi('viewer');
  const statuses = await Promise.all(['/hosts', '/networks', '/roles', '/images', '/events', '/audit'].map(async (p) => (await api.get(p)).status));
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
});

// --- operators and users --------------------------------------------------------------------

test('an operator registers a host', async () => {
  const { api } = await userApi('operator');
  assert.equal((await api.post('/hosts', { hostname: unique('ophost') })).status, 201);
});

test('an operator can\'t list users (403)', async () => {
  const { api } = await userApi('operator');
  assert.equal((await api.get('/users')).status, 403);
});

test('an operator can\'t create a user (403)', async () => {
  const { api } = await userApi('operator');
  assert.equal((await api.post('/users', { username: unique('x'), password: 'a-long-password', role: 'viewer' })).status, 403);
});

test('an operator can\'t promote themself (403)', async () => {
  const { api, username } = await userApi('operator');
  assert.equal((await api.patch(`/users/${await userId(username)}`, { role: 'admin' })).status, 403);
});

test('a user an admin creates can sign in with that role', async () => {
  const username = unique('newop');
  await admin.post('/users', { username, password: 'another-long-password', role: 'operator' });
  const me = await apiClient(app.url, { cookie: await app.signIn(username, 'another-long-password') }).get('/auth/me');
  assert.deepEqual({ username: me.body.username, role: me.body.role }, { username, role: 'operator' });
});

test('a second user with the same name → 409 naming username', async () => {
  const { username } = await userApi('viewer');
  const res = await admin.post('/users', { username, password: 'a-long-password', role: 'viewer' });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 409, field: 'username' });
});

test('a short password → 400 naming password', async () => {
  const res = await admin.post('/users', { username: unique('shortpw'), password: 'short', role: 'viewer' });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'password' });
});

test('a disabled user\'s session stops working', async () => {
  const { api, username } = await userApi('operator');
  await admin.patch(`/users/${await userId(username)}`, { disabled: true });
  assert.equal((await api.get('/hosts')).status, 401);
});

test('a new password ends the user\'s open sessions', async () => {
  const { api, username } = await userApi('viewer');
  await admin.patch(`/users/${await userId(username)}`, { password: 'a-brand-new-password' });
  assert.equal((await api.get('/hosts')).status, 401);
});

test('the last admin can\'t be demoted (400 naming role)', async () => {
  const res = await admin.patch(`/users/${await userId('admin')}`, { role: 'operator' });
  assert.deepEqual({ status: res.status, field: res.body?.field }, { status: 400, field: 'role' });
});

// --- API tokens -----------------------------------------------------------------------------

test('a bearer token reads the API', async () => {
  const { secret } = await newToken(admin);
  assert.equal((await apiClient(app.url, { token: secret }).get('/hosts')).status, 200);
});

test('an operator\'s token writes like the operator', async () => {
  const { api } = await userApi('operator');
  const { secret } = await newToken(api);
  assert.equal((await apiClient(app.url, { token: secret }).post('/hosts', { hostname: unique('tokhost') })).status, 201);
});

test('the secret is shown once: the token list has neither it nor its hash', async () => {
  const { secret } = await newToken(admin);
  const list = await admin.get('/tokens');
  const text = JSON.stringify(list.body);
  assert.deepEqual({ secret: text.includes(secret), hash: text.includes('tokenHash') }, { secret: false, hash: false });
});

test('a revoked token → 401', async () => {
  const { id, secret } = await newToken(admin);
  assert.equal((await admin.delete(`/tokens/${id}`)).status, 204);
  assert.equal((await apiClient(app.url, { token: secret }).get('/hosts')).status, 401);
});

test('an expired token → 401', async () => {
  const { id, secret } = await newToken(admin, { expiresInDays: 1 });
  await sql(app, `UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [id]);
  assert.equal((await apiClient(app.url, { token: secret }).get('/hosts')).status, 401);
});

test('a token before its expiry works', async () => {
  const { secret } = await newToken(admin, { expiresInDays: 1 });
  assert.equal((await apiClient(app.url, { token: secret }).get('/hosts')).status, 200);
});

test('a made-up bearer token → 401', async () => {
  assert.equal((await apiClient(app.url, { token: 'fbt_made-up-token-value' }).get('/hosts')).status, 401);
});

test('a bearer token with a valid session cookie beside it still has to be valid (401)', async () => {
  const res = await fetch(`${app.url}/api/v1/hosts`, { headers: { cookie: await app.signIn(), authorization: 'Bearer fbt_made-up' } });
  assert.equal(res.status, 401);
});

test('an operator asking for an admin token → 403', async () => {
  const { api } = await userApi('operator');
  assert.equal((await api.post('/tokens', { name: unique('tok'), role: 'admin' })).status, 403);
});

test('a viewer token made by an admin can\'t write (403)', async () => {
  const { secret } = await newToken(admin, { role: 'viewer' });
  assert.equal((await apiClient(app.url, { token: secret }).post('/roles', { name: unique('r') })).status, 403);
});

test('a token loses the rights its owner loses: owner demoted to viewer → 403 on writes', async () => {
  const { api, username } = await userApi('operator');
  const { secret } = await newToken(api);
  await admin.patch(`/users/${await userId(username)}`, { role: 'viewer' });
  assert.equal((await apiClient(app.url, { token: secret }).post('/roles', { name: unique('r') })).status, 403);
});

test('a disabled owner\'s token → 401', async () => {
  const { api, username } = await userApi('operator');
  const { secret } = await newToken(api);
  await admin.patch(`/users/${await userId(username)}`, { disabled: true });
  assert.equal((await apiClient(app.url, { token: secret }).get('/hosts')).status, 401);
});

test('a viewer can\'t revoke another user\'s token (404)', async () => {
  const { id } = await newToken(admin);
  const { api } = await userApi('viewer');
  assert.equal((await api.delete(`/tokens/${id}`)).status, 404);
});

test('a non-admin lists only their own tokens', async () => {
  await newToken(admin);
  const { api, username } = await userApi('operator');
  await newToken(api);
  const list = await api.get('/tokens');
  assert.deepEqual([...new Set(list.body.items.map((t: any) => t.username))], [username]);
});

test('an admin lists every user\'s tokens, each with its owner, and revokes another user\'s', async () => {
  const mine = await newToken(admin);
  const { api, username } = await userApi('operator');
  const theirs = await newToken(api);
  const list = await admin.get('/tokens');
  assert.equal(list.status, 200);
  const owners = new Map(list.body.items.map((t: any) => [t.id, t.username]));
  assert.deepEqual([owners.get(mine.id), owners.get(theirs.id)], ['admin', username]);
  assert.equal((await admin.delete(`/tokens/${theirs.id}`)).status, 204);
  assert.equal((await fetch(`${app.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${theirs.secret}` } })).status, 401);
});
