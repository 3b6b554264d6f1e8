// Issue 17: sign-in throttling (count, delay, lock, unlock, audit; per user name and per client
// address; a burst can't slip past), the same answer for unknown users, passwords (your own,
// an admin's reset) ending every session and token, token expiry (default, maximum, never past
// the token that made it). Clients are told apart by X-Forwarded-For: this web process trusts
// 127.0.0.1 as its proxy (FLEETBOOT_TRUSTED_PROXIES), as it would behind a real one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { sql, unique, type Api } from './fixtures.ts';

let app: TestWebApp;
let admin: Api;
let addressCounter = 0;
/** A client address of its own for each caller: 198.51.100.x (RFC 5737 documentation range). */
const newAddress = () => `198.51.100.${++addressCounter}`;

before(async () => {
  process.env.FLEETBOOT_SIGNIN_LOCK_AFTER = '6';
  process.env.FLEETBOOT_TRUSTED_PROXIES = '127.0.0.1';
  app = await startTestWebApp('api_sign_in');
  admin = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

async function login(username: string, password: string, address: string) {
  const res = await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { code?: string; error?: string; details?: { retryAfterSeconds: number; reason: string } };
  return { status: res.status, body, retryAfter: res.headers.get('retry-after'), cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newUser(role: 'admin' | 'operator' | 'viewer' = 'operator') {
  const username = unique(role);
  await app.addUser(username, 'the-right-password', role);
  const id = (await sql(app, `SELECT id FROM "User" WHERE username = $1`, [username])).rows[0].id as string;
  return { username, id };
}

async function auditActions(entityId: string): Promise<string[]> {
  return (await sql(app, `SELECT action FROM "AuditLog" WHERE "entityId" = $1 ORDER BY id`, [entityId])).rows.map((r) => r.action as string);
}

test('brute force on one user: 3 free failures, then a growing delay (the right password waits too), a lock at 6, audited; an admin unlocks', async () => {
  const { username } = await newUser();
  const address = () => newAddress(); // a different address each time: the user name alone is throttled
  for (let i = 0; i < 3; i++) assert.equal((await login(username, 'wrong-password', address())).status, 401, `free attempt ${i + 1}`);
  const delayed = await login(username, 'the-right-password', address());
  assert.deepEqual([delayed.status, delayed.body.details?.reason, delayed.retryAfter], [429, 'delayed', '1'], JSON.stringify(delayed.body));
  // wait out 1, 2 and 4 s: each attempt is checked, and wrong
  for (const waitSeconds of [1, 2, 4]) {
    await sleep(waitSeconds * 1000 + 100);
    assert.equal((await login(username, 'wrong-password', address())).status, 401);
  }
  const locked = await login(username, 'the-right-password', address());
  assert.deepEqual([locked.status, locked.body.details?.reason], [429, 'locked'], JSON.stringify(locked.body));
  assert.ok(Number(locked.retryAfter) > 800, `locked for ~15 min: ${locked.retryAfter}`);

  const listed = await admin.get('/sign-in-throttles');
  const row = listed.body.items.find((t: { kind: string; value: string }) => t.kind === 'user' && t.value === username);
  assert.ok(row && row.failures === 6 && row.lockedUntil, JSON.stringify(listed.body));
  assert.deepEqual(await auditActions(row.id), ['sign-in-delay', 'sign-in-lock']);

  assert.equal((await admin.delete(`/sign-in-throttles/${row.id}`)).status, 204);
  assert.deepEqual(await auditActions(row.id), ['sign-in-delay', 'sign-in-lock', 'unlock']);
  assert.equal((await login(username, 'the-right-password', address())).status, 200, 'unlocked: the right password works');
});

test('a burst of 40 parallel guesses: only the free attempts reach the password check', async () => {
  const { username } = await newUser();
  const results = await Promise.all(Array.from({ length: 40 }, () => login(username, 'wrong-password', newAddress())));
  const checked = results.filter((r) => r.status === 401).length;
  const refused = results.filter((r) => r.status === 429).length;
  // 3 free, then one more per delay the burst outlasted on this loaded machine (1, 2, 4, 8 s:
  // 8 checks would take a 15 s burst); every other answer is 429, none an error
  assert.ok(checked >= 3 && checked < 8 && checked + refused === 40, `401: ${checked}, 429: ${refused}, others: ${results.filter((r) => r.status !== 401 && r.status !== 429).map((r) => r.status).join(' ')}`);
});

test('twenty right sign-ins at once, one user and one address: all get in (the rows lock in one order, no deadlock)', async () => {
  const { username } = await newUser();
  const address = newAddress();
  const results = await Promise.all(Array.from({ length: 20 }, () => login(username, 'the-right-password', address)));
  // each attempt is counted before its check: a few may be told to wait, none may fail
  assert.deepEqual(results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${JSON.stringify(r.body)}`), []);
  assert.ok(results.filter((r) => r.status === 200).length >= 3, results.map((r) => r.status).join(' '));
});

test('one address trying many user names (known or not) is throttled on its own', async () => {
  const address = newAddress();
  for (let i = 0; i < 10; i++) assert.equal((await login(unique('nobody'), 'whatever-password', address)).status, 401, `attempt ${i + 1}`);
  const refused = await login(unique('nobody'), 'whatever-password', address);
  assert.equal(refused.status, 429);
  assert.match(refused.body.error ?? '', /this address/);
});

test('an unknown user name gets the same answer as a wrong password, and costs the same hashing', async () => {
  const known = await Promise.all(Array.from({ length: 6 }, () => newUser()));
  const time = async (username: string) => {
    const t0 = performance.now();
    const res = await login(username, 'wrong-password', newAddress());
    return { ms: performance.now() - t0, body: res.body, status: res.status };
  };
  const knownRuns = [];
  const unknownRuns = [];
  for (const u of known) {
    knownRuns.push(await time(u.username));
    unknownRuns.push(await time(unique('ghost')));
  }
  assert.deepEqual(new Set(knownRuns.concat(unknownRuns).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).size, 1, 'one answer for both');
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // Reported, not asserted (no timed assertions): issue 17 measured ≈55 ms known vs ≈17 ms unknown.
  console.log(`# sign-in answer time, median of ${known.length}: known user ${median(knownRuns.map((r) => r.ms)).toFixed(1)} ms, unknown ${median(unknownRuns.map((r) => r.ms)).toFixed(1)} ms`);
});

async function tokenFor(api: Api, body: Record<string, unknown> = {}) {
  const res = await api.post('/tokens', { name: unique('tok'), ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.token.id as string, secret: res.body.secret as string, expiresAt: new Date(res.body.token.expiresAt) };
}

const me = (secretOrCookie: { token?: string; cookie?: string }) => apiClient(app.url, secretOrCookie).get('/auth/me');

test("an admin's password reset ends the user's sessions and revokes their tokens", async () => {
  const { username, id } = await newUser();
  const cookie = await app.signIn(username, 'the-right-password');
  const token = await tokenFor(apiClient(app.url, { cookie }));
  assert.equal((await me({ token: token.secret })).status, 200);
  assert.equal((await admin.patch(`/users/${id}`, { password: 'a-brand-new-password' })).status, 200);
  assert.equal((await me({ cookie })).status, 401, 'session ended');
  assert.equal((await me({ token: token.secret })).status, 401, 'token revoked');
  assert.equal((await login(username, 'a-brand-new-password', newAddress())).status, 200);
});

test('disable then enable: the old tokens stay revoked', async () => {
  const { username, id } = await newUser();
  const token = await tokenFor(apiClient(app.url, { cookie: await app.signIn(username, 'the-right-password') }));
  assert.equal((await admin.patch(`/users/${id}`, { disabled: true })).status, 200);
  assert.equal((await admin.patch(`/users/${id}`, { disabled: false })).status, 200);
  assert.equal((await me({ token: token.secret })).status, 401);
  const listed = (await admin.get('/tokens')).body.items.find((t: { id: string }) => t.id === token.id);
  assert.ok(listed?.revokedAt, 'an admin sees it, revoked');
});

test('any role changes its own password: the current one is required; every session and token ends, this browser keeps a new session', async () => {
  const { username } = await newUser('viewer');
  const cookie = await app.signIn(username, 'the-right-password');
  const other = await app.signIn(username, 'the-right-password');
  const token = await tokenFor(apiClient(app.url, { cookie }));
  const change = (currentPassword: string, headers: Record<string, string> = { cookie, origin: app.url }) =>
    fetch(`${app.url}/api/v1/auth/password`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ currentPassword, newPassword: 'my-own-new-password' }) });

  const wrong = await change('not-my-password');
  assert.deepEqual([wrong.status, ((await wrong.json()) as { field: string }).field], [400, 'currentPassword']);
  const byToken = await change('the-right-password', { authorization: `Bearer ${token.secret}` });
  assert.equal(byToken.status, 403, 'a token cannot change its owner\'s password');
  const ok = await change('the-right-password');
  assert.equal(ok.status, 204, await ok.text());
  const renewed = ok.headers.get('set-cookie')?.split(';')[0];
  assert.ok(renewed && renewed !== cookie, 'a new session cookie');
  assert.equal((await me({ cookie })).status, 401);
  assert.equal((await me({ cookie: other })).status, 401);
  assert.equal((await me({ token: token.secret })).status, 401);
  assert.equal((await me({ cookie: renewed })).status, 200);
  assert.equal((await login(username, 'my-own-new-password', newAddress())).status, 200);
  const audit = await sql(app, `SELECT action, after FROM "AuditLog" WHERE action = 'change-password' AND actor = $1`, [username]);
  assert.deepEqual(audit.rows[0]?.after?.revoked, { sessions: 2, tokens: 1 });
});

test("tokens expire: the admins' default, at most their maximum", async () => {
  const t = await tokenFor(admin);
  const days = (d: Date) => Math.round((d.getTime() - Date.now()) / 86_400_000);
  assert.equal(days(t.expiresAt), 90);
  assert.equal((await admin.patch('/settings', { tokenDefaultDays: 7, tokenMaxDays: 30 })).status, 200);
  try {
    assert.equal(days((await tokenFor(admin)).expiresAt), 7);
    const tooLong = await admin.post('/tokens', { name: unique('tok'), expiresInDays: 31 });
    assert.deepEqual([tooLong.status, tooLong.body.field], [400, 'expiresInDays']);
    const bad = await admin.patch('/settings', { tokenDefaultDays: 40 });
    assert.deepEqual([bad.status, bad.body.field], [400, 'tokenDefaultDays']);
    const operator = apiClient(app.url, { cookie: await app.signIn((await newUser()).username, 'the-right-password') });
    assert.equal((await operator.patch('/settings', { tokenMaxDays: 3650 })).status, 403);
  } finally {
    await admin.patch('/settings', { tokenDefaultDays: 90, tokenMaxDays: 365 });
  }
});

test('a token cannot make a token that outlives it; an expired token is refused', async () => {
  const parent = await tokenFor(admin, { expiresInDays: 2 });
  const byToken = apiClient(app.url, { token: parent.secret });
  const longer = await byToken.post('/tokens', { name: unique('child'), expiresInDays: 10 });
  assert.deepEqual([longer.status, longer.body.field], [400, 'expiresInDays']);
  const child = await tokenFor(byToken);
  assert.equal(child.expiresAt.getTime(), parent.expiresAt.getTime(), 'defaulted: cut to the parent');
  await sql(app, `UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [child.id]);
  assert.equal((await me({ token: child.secret })).status, 401);
});
