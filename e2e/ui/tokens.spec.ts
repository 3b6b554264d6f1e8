// API tokens: a secret is shown once (after a reload only its prefix is listed); an admin sees and
// revokes everyone's tokens, anyone else only their own.
import { expect, test } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

test('a token secret is shown once, then only its prefix', async ({ page }) => {
  const name = uniqueName('script');
  await signIn(page);
  await page.goto('/tokens');
  await page.getByLabel('Token name').fill(name);
  await page.getByLabel('Token role').selectOption('operator');
  await page.getByRole('button', { name: 'Create token' }).click();

  const secretBox = page.getByTestId('token-secret');
  await expect(secretBox).toBeVisible();
  const secret = (await secretBox.textContent())?.trim() ?? '';
  expect(secret.length).toBeGreaterThan(20);
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();

  // The secret works as a bearer token.
  const me = await page.request.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);

  const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  const prefix = (await row.locator('td').nth(1).textContent())?.replace('…', '').trim() ?? '';
  expect(prefix.length).toBeGreaterThan(0);
  expect(secret.startsWith(prefix)).toBe(true);

  await page.reload();
  await expect(page.getByTestId('token-secret')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: name })).toContainText(prefix);

  // Revoked, the token stops working.
  await page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: name }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: name })).toContainText('revoked');
  const after = await page.request.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

test('an admin sees every user\'s tokens with their owner and revokes another\'s; an operator sees only their own', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000); // two sign-ins on a loaded machine
  const api = await adminApi(baseURL);
  const operator = uniqueName('oper');
  await createVia(api, '/api/v1/users', { username: operator, password: 'operator-password-1', role: 'operator' });
  const adminToken = uniqueName('admin-script');
  await createVia(api, '/api/v1/tokens', { name: adminToken });
  const theirs = await browser.newPage({ baseURL });
  await signIn(theirs, operator, 'operator-password-1');
  const operatorToken = uniqueName('oper-script');
  const made = await theirs.request.post('/api/v1/tokens', { data: { name: operatorToken }, headers: { origin: new URL(baseURL!).origin } });
  expect(made.status(), await made.text()).toBe(201);
  const secret = ((await made.json()) as { secret: string }).secret;

  // The operator's page: their token, not the admin's.
  await theirs.goto('/tokens');
  await expect(theirs.getByText('Your tokens for scripts.')).toBeVisible();
  const theirTable = theirs.getByRole('table', { name: 'API tokens' });
  await expect(theirTable.getByRole('row').filter({ hasText: operatorToken })).toHaveCount(1);
  await expect(theirTable.getByRole('row').filter({ hasText: adminToken })).toHaveCount(0);
  await expect(theirTable.getByRole('row').filter({ hasText: 'admin' })).toHaveCount(0);

  // The admin's page: both, each with its owner.
  await signIn(page);
  await page.goto('/tokens');
  await expect(page.getByText('everyone\u2019s (you are an admin)')).toBeVisible();
  const table = page.getByRole('table', { name: 'API tokens' });
  const row = table.getByRole('row').filter({ hasText: operatorToken });
  await expect(row).toHaveCount(1);
  await expect(row.locator('td').nth(3)).toHaveText(operator);
  await expect(table.getByRole('row').filter({ hasText: adminToken }).locator('td').nth(3)).toHaveText('admin');
  await page.screenshot({ path: 'test-results/tokens-admin-sees-all.png', fullPage: true });

  // An admin revokes the operator's token: it stops working.
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(row).toContainText('revoked');
  expect((await api.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } })).status()).toBe(401);
  await theirs.close();
  await api.dispose();
});
