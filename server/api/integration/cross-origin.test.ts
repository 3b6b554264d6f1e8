// Cross-site request forgery (issue 17): with an admin's session cookie, every state-changing
// route refuses a request that doesn't come from the console's own origin (another port of the
// same host included: SameSite=Strict lets those through), and JSON and CSV bodies must carry
// their exact type. The same requests with an API token and no Origin still work.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { apiClient, freePort, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { sql, unique, type Api } from './fixtures.ts';
import { routeFiles } from './route-files.ts';

let app: TestWebApp;
let admin: Api;
let cookie: string;
let otherOrigin: string;
before(async () => {
  app = await startTestWebApp('api_cross_origin');
  cookie = await app.signIn();
  admin = apiClient(app.url, { cookie });
  // same host, another port: same site, another origin
  otherOrigin = `http://127.0.0.1:${await freePort()}`;
});
after(async () => { await app?.stop(); });

const mutating = () => routeFiles().filter((r) => r.method !== 'GET');

async function send(method: string, route: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: { field?: string; error?: string } }> {
  const p = route.replace(/\{mac\}/, '02:00:5e:00:53:01').replace(/\{kind\}/, 'kernel').replace(/\{\w+\}/g, () => randomUUID());
  const res = await fetch(`${app.url}/api/v1${p}`, { method, headers: { cookie, ...headers }, body });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { field?: string } };
}

test('the route walk found the mutating routes', () => {
  assert.ok(mutating().length >= 25, mutating().map((r) => `${r.method} ${r.route}`).join(', '));
});

for (const { method, route } of mutating()) {
  test(`${method} ${route} with the session cookie from another origin → 403 origin`, async () => {
    const res = await send(method, route, { origin: otherOrigin, 'content-type': 'text/plain' }, method === 'DELETE' ? undefined : 'x');
    assert.deepEqual([res.status, res.body.field], [403, 'origin'], JSON.stringify(res.body));
  });
}

test('a cookie request without Origin is refused unless Sec-Fetch-Site says same-origin', async () => {
  const hostname = unique('sfs');
  const post = (headers: Record<string, string>) => fetch(`${app.url}/api/v1/hosts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ hostname }) });
  assert.equal((await post({})).status, 403);
  assert.equal((await post({ 'sec-fetch-site': 'same-site' })).status, 403);
  assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.equal((await sql(app, `SELECT 1 FROM "Host" WHERE hostname = $1`, [hostname])).rowCount, 0, 'nothing was created');
  assert.equal((await post({ 'sec-fetch-site': 'same-origin' })).status, 201);
});

test('issue 17 forgeries: text/plain;x=csv import, x-www-form-urlencoded;x=json, body-less cancel', async () => {
  const hostname = unique('forged');
  const csv = await send('POST', '/hosts/import', { origin: otherOrigin, 'content-type': 'text/plain;x=csv' }, `hostname,notes\n${hostname},forged\n`);
  assert.equal(csv.status, 403);
  const form = await send('POST', '/hosts', { origin: otherOrigin, 'content-type': 'application/x-www-form-urlencoded;x=json' }, JSON.stringify({ hostname }));
  assert.equal(form.status, 403);
  const cancel = await send('POST', '/stages/{id}/cancel', { origin: otherOrigin });
  assert.equal(cancel.status, 403);
  assert.equal((await sql(app, `SELECT 1 FROM "Host" WHERE hostname = $1`, [hostname])).rowCount, 0);
});

test('from the console itself, the type must still be exact: 415 naming content-type', async () => {
  const hostname = unique('typed');
  for (const [p, type] of [['/hosts/import', 'text/plain;x=csv'], ['/hosts/import', 'text/csv; header=present'], ['/hosts', 'application/x-www-form-urlencoded;x=json'], ['/hosts', 'application/json; x=1'], ['/hosts', 'text/plain']] as const) {
    const res = await admin.post(p, p === '/hosts' ? JSON.stringify({ hostname }) : `hostname\n${hostname}\n`, type);
    assert.deepEqual([res.status, res.body.field], [415, 'content-type'], `${p} ${type}: ${JSON.stringify(res.body)}`);
  }
  assert.equal((await admin.post('/hosts/import', `hostname\n${hostname}\n`, 'text/csv; charset=utf-8')).status, 201);
});

test('a resumable chunk must be application/offset+octet-stream (tus): 415 otherwise', async () => {
  const res = await fetch(`${app.url}/api/v1/uploads/${randomUUID()}`, { method: 'PATCH', headers: { cookie, origin: app.url, 'content-type': 'text/plain', 'upload-offset': '0' }, body: 'x' });
  assert.equal(res.status, 415);
});

test('an API token needs no Origin: scripts are not browsers', async () => {
  const token = await admin.post('/tokens', { name: unique('script') });
  assert.equal(token.status, 201);
  const res = await fetch(`${app.url}/api/v1/hosts`, { method: 'POST', headers: { authorization: `Bearer ${token.body.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ hostname: unique('bytoken') }) });
  assert.equal(res.status, 201);
});

test('sign-in from another origin is refused (login CSRF); from a script it works', async () => {
  const login = (headers: Record<string, string>) => fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username: 'admin', password: 'admin-password-for-tests' }) });
  assert.equal((await login({ origin: otherOrigin })).status, 403);
  assert.equal((await login({ 'sec-fetch-site': 'same-site' })).status, 403);
  assert.equal((await login({})).status, 200);
  assert.equal((await login({ origin: app.url })).status, 200);
});

test("sign-in answers where to go next: a console path, never another site", async () => {
  const next = async (value: string) => {
    const res = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ username: 'admin', password: 'admin-password-for-tests', next: value }) });
    return ((await res.json()) as { next: string }).next;
  };
  assert.equal(await next('/hosts?q=1'), '/hosts?q=1');
  assert.equal(await next('/\\evil.example/x'), '/');
  assert.equal(await next('//evil.example'), '/');
  assert.equal(await next('https://evil.example'), '/');
});

test('GET /login?next=/%5Cevil.example/x, signed in, stays on the console', async () => {
  const res = await fetch(`${app.url}/login?next=/%5Cevil.example/x`, { headers: { cookie }, redirect: 'manual' });
  assert.ok(res.status >= 300 && res.status < 400, `a redirect: ${res.status}`);
  assert.equal(res.headers.get('location'), '/');
});
