// Issue 17 in a real browser. A second origin (another port on loopback: the same *site*, so
// SameSite=Strict sends the session cookie) serves an attacker's page that tries each forgery
// against the signed-in console; every one is refused, and the console itself keeps working.
// Then: the open redirect, the security headers on pages, API and static files, no CSP
// violation on any page, and sign-in throttling as the login form and an admin see it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, request, test, type Page, type Response } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

/** The attacker's page: fetches the console with the cookie, as issue 17 found them. */
function attackerPage(consoleUrl: string, hostname: string, stageId: string): string {
  const c = JSON.stringify(consoleUrl);
  return `<!doctype html><title>attacker</title><script>
    const c = ${c};
    const send = (path, init) => fetch(c + path, { mode: 'no-cors', credentials: 'include', method: 'POST', ...init }).catch(() => undefined);
    Promise.all([
      send('/api/v1/hosts/import', { headers: { 'content-type': 'text/plain;x=csv' }, body: 'hostname,notes\\n${hostname}-csv,forged\\n' }),
      send('/api/v1/hosts', { headers: { 'content-type': 'application/x-www-form-urlencoded;x=json' }, body: JSON.stringify({ hostname: '${hostname}-json' }) }),
      send('/api/v1/stages/${stageId}/cancel', {}),
      send('/api/v1/auth/logout', {}),
    ]).then(() => { document.title = 'sent'; });
  </script>
  <form id="f" method="post" enctype="text/plain" action="${consoleUrl}/api/v1/hosts"><input name='{"hostname":"${hostname}-form","x":"' value='"}'></form>`;
}

async function startAttacker(html: () => string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

test('forgeries from another origin on the same host are refused; the console still works', async ({ page, baseURL }) => {
  const consoleUrl = new URL(baseURL!).origin.replace('localhost', '127.0.0.1');
  const hostname = uniqueName('forged');
  const stageId = crypto.randomUUID();
  const attacker = await startAttacker(() => attackerPage(consoleUrl, hostname, stageId));
  try {
    await page.goto(`${consoleUrl}/login`);
    await page.getByLabel('Username').fill(process.env.FLEETBOOT_ADMIN_USER ?? 'admin');
    await page.getByLabel('Password').fill(process.env.FLEETBOOT_ADMIN_PASSWORD ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('signed-in-user')).toBeVisible();

    const answers: Array<{ path: string; status: number }> = [];
    const record = (res: Response) => {
      const u = new URL(res.url());
      if (u.origin === consoleUrl && u.pathname.startsWith('/api/')) answers.push({ path: u.pathname, status: res.status() });
    };
    page.on('response', record);
    await page.goto(attacker.url);
    await expect(page).toHaveTitle('sent');
    // the text/plain form: a top-level navigation carrying the cookie (same site)
    await page.locator('#f').evaluate((f: HTMLFormElement) => f.submit());
    await page.waitForURL(`${consoleUrl}/api/v1/hosts`);
    page.off('response', record);

    expect(answers.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      [
        { path: '/api/v1/auth/logout', status: 403 },
        { path: '/api/v1/hosts', status: 403 },
        { path: '/api/v1/hosts', status: 403 },
        { path: '/api/v1/hosts/import', status: 403 },
        { path: `/api/v1/stages/${stageId}/cancel`, status: 403 },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );

    // Nothing was created, and the session survived the forged sign-out: the console works.
    await page.goto(`${consoleUrl}/hosts?q=${hostname}`);
    await expect(page.getByTestId('signed-in-user')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Hosts' })).toHaveCount(0);
    await page.goto(`${consoleUrl}/hosts/new`);
    await page.getByLabel('Hostname').fill(`${hostname}-real`);
    await page.getByRole('button', { name: 'Register host' }).click();
    await expect(page.getByRole('heading', { name: `${hostname}-real` })).toBeVisible();
  } finally {
    await attacker.close();
  }
});

test('open redirect: next=/\\evil.example stays on the console, signed in or signing in', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  await page.goto('/login?next=/%5Cevil.example/x');
  await page.getByLabel('Username').fill(process.env.FLEETBOOT_ADMIN_USER ?? 'admin');
  await page.getByLabel('Password').fill(process.env.FLEETBOOT_ADMIN_PASSWORD ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  expect(new URL(page.url()).pathname).toBe('/');
  for (const next of ['/%5Cevil.example/x', '//evil.example', '/%09/evil.example', 'https://evil.example']) {
    await page.goto(`/login?next=${next}`);
    expect(new URL(page.url()).origin, next).toBe(origin);
  }
  await page.goto('/login?next=/hosts');
  await expect(page).toHaveURL(`${origin}/hosts`);
});

const consolePages = ['/', '/fleet', '/hosts', '/hosts/new', '/hosts/import', '/roles', '/roles/new', '/images', '/networks', '/networks/new', '/audit', '/tokens', '/account', '/users', '/no-such-page'];

async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to load: CSP violation ${e.violatedDirective} ${e.blockedURI}`));
  });
  return violations;
}

test('every page carries the headers and a nonce CSP its scripts pass: no violation on any page', async ({ page, baseURL }) => {
  test.setTimeout(180_000); // twenty pages on a loaded machine
  const api = await adminApi(baseURL);
  const net = await createVia<{ id: string }>(api, '/api/v1/networks', { name: uniqueName('net'), cidr: '10.231.0.0/24' }).catch(() => null);
  const role = await createVia<{ id: string }>(api, '/api/v1/roles', { name: uniqueName('role') });
  const host = await createVia<{ id: string }>(api, '/api/v1/hosts', { hostname: uniqueName('csp'), roleId: role.id });
  const image = await createVia<{ id: string }>(api, '/api/v1/images', { roleId: role.id, version: uniqueName('v') });
  const violations = await watchCsp(page);
  await signIn(page);
  const pages = [...consolePages, `/hosts/${host.id}`, `/roles/${role.id}`, `/images/${image.id}`, ...(net ? [`/networks/${net.id}`] : []), '/login'];
  for (const path of pages) {
    const res = await page.goto(path);
    const h = res!.headers();
    const csp = h['content-security-policy'] ?? '';
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect([h['x-frame-options'], h['x-content-type-options'], h['referrer-policy']], path).toEqual(['DENY', 'nosniff', 'same-origin']);
    // Next put this answer's nonce on every script in the HTML (the chunks those load later
    // need none: 'strict-dynamic' trusts what a trusted script adds)
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const scriptTags = (await res!.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scriptTags.length, path).toBeGreaterThan(0);
    expect(scriptTags.filter((tag) => !tag.includes(`nonce="${nonce}"`)), `${path}: every script has the nonce`).toEqual([]);
    await page.waitForLoadState('networkidle').catch(() => undefined);
  }
  // the console is interactive under the policy: a live page hydrates and a form submits
  await page.goto(`/hosts/${host.id}`);
  await page.getByLabel('Notes').fill('under a strict CSP');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  expect(violations).toEqual([]);
});

test('API answers, errors and static files carry the headers too', async ({ request, page, baseURL }) => {
  await page.goto('/login');
  const script = await page.locator('script[src]').first().getAttribute('src');
  for (const path of ['/api/v1/openapi.json', '/api/v1/hosts', '/api/v1/no-such-route', script!]) {
    const res = await request.get(path);
    const h = res.headers();
    expect([h['x-frame-options'], h['x-content-type-options'], h['referrer-policy']], path).toEqual(['DENY', 'nosniff', 'same-origin']);
    expect(h['content-security-policy'], path).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  }
  void baseURL;
});

test('sign-in throttling as people see it: the login form says wait, an admin sees the name and unlocks it', async ({ page, browser, baseURL }) => {
  const api = await adminApi(baseURL);
  const username = uniqueName('locked');
  await createVia(api, '/api/v1/users', { username, password: 'the-right-password', role: 'viewer' });
  const victim = await browser.newPage();
  await victim.goto(`${baseURL}/login`);
  await victim.getByLabel('Username').fill(username);
  await victim.getByLabel('Password').fill('wrong-0');
  await victim.getByRole('button', { name: 'Sign in' }).click();
  await expect(victim.getByLabel('Password')).toHaveAccessibleDescription(/wrong username or password/);
  // four more failures through the API (waiting out each delay): the next attempt must wait
  // 4 s, time enough for the form's attempt on a loaded machine
  const guesser = await request.newContext({ baseURL });
  for (let failures = 1, tries = 0; failures < 5 && tries < 20; tries++) {
    const res = await guesser.post('/api/v1/auth/login', { data: { username, password: `wrong-${tries}` } });
    if (res.status() === 401) failures++;
    else if (res.status() === 429) await new Promise((r) => setTimeout(r, Number(res.headers()['retry-after']) * 1000 + 100));
    else throw new Error(`sign-in answered ${res.status()}`);
  }
  await guesser.dispose();
  await victim.getByLabel('Password').fill('the-right-password');
  await victim.getByRole('button', { name: 'Sign in' }).click();
  await expect(victim.getByLabel('Password')).toHaveAccessibleDescription(/too many failed sign-ins for this user name: wait \d+ s/);
  await victim.screenshot({ path: 'test-results/login-throttled.png' });
  await signIn(page);
  await page.goto('/users');
  const row = page.getByRole('table', { name: 'Failed sign-ins' }).getByRole('row').filter({ hasText: username });
  // five failures (the form's refused attempt isn't one); its delay may be over by now
  await expect(row.getByRole('cell').nth(1)).toHaveText('5');
  await row.getByRole('button', { name: 'Unlock' }).click();
  await row.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('table', { name: 'Failed sign-ins' }).getByRole('row').filter({ hasText: username })).toHaveCount(0);
  await victim.getByLabel('Password').fill('the-right-password');
  await victim.getByRole('button', { name: 'Sign in' }).click();
  await expect(victim.getByTestId('signed-in-user')).toContainText(username);
  await page.goto('/audit');
  await expect(page.getByText('unlock').first()).toBeVisible();
  await victim.close();
});

test('an operator changes their own password on the Account page; an admin resets it on Users: sessions and tokens end', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000); // four sign-ins and three browsers on a loaded machine
  const api = await adminApi(baseURL);
  const username = uniqueName('oper');
  await createVia(api, '/api/v1/users', { username, password: 'first-password-1', role: 'operator' });
  // another browser of the same user, and a token of theirs: both end with the change
  const elsewhere = await browser.newPage({ baseURL });
  await signIn(elsewhere, username, 'first-password-1');
  const made = await elsewhere.request.post(`${baseURL}/api/v1/tokens`, { data: { name: uniqueName('tok') }, headers: { origin: new URL(baseURL!).origin } });
  expect(made.status(), await made.text()).toBe(201);
  const secret = ((await made.json()) as { secret: string }).secret;
  const tokenWorks = async () => (await api.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } })).status();
  expect(await tokenWorks()).toBe(200);

  await signIn(page, username, 'first-password-1');
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByRole('heading', { name: 'Account' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not-my-password');
  await form.getByLabel('New password').fill('second-password-2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(form.getByLabel('Current password')).toHaveAccessibleDescription(/is not your current password/);
  await page.screenshot({ path: 'test-results/account-password-error.png', fullPage: true });
  await form.getByLabel('Current password').fill('first-password-1');
  await form.getByLabel('New password').fill('second-password-2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  await page.screenshot({ path: 'test-results/account-password-changed.png', fullPage: true });
  // this browser stays signed in; the other session and the token have ended
  await page.goto('/hosts');
  await expect(page.getByTestId('signed-in-user')).toContainText(username);
  await elsewhere.goto(`${baseURL}/hosts`);
  await expect(elsewhere).toHaveURL(/\/login/);
  expect(await tokenWorks()).toBe(401);

  // an admin resets it: the operator's session ends, the new password signs in
  const adminPage = await browser.newPage({ baseURL });
  await signIn(adminPage);
  await adminPage.goto(`${baseURL}/users`);
  const row = adminPage.getByRole('row').filter({ hasText: username });
  await row.getByRole('button', { name: 'Reset password' }).click();
  await row.getByLabel(`New password for ${username}`).fill('third-password-3');
  await adminPage.screenshot({ path: 'test-results/users-password-reset.png', fullPage: true });
  await row.getByRole('button', { name: 'Set password' }).click();
  await expect(adminPage.getByRole('status').filter({ hasText: `Password of ${username} reset` })).toBeVisible();
  await page.goto('/hosts');
  await expect(page).toHaveURL(/\/login/);
  await signIn(elsewhere, username, 'third-password-3');
  await Promise.all([elsewhere.close(), adminPage.close()]);
});
