// An API token's secret is shown once: after a reload only its prefix is listed.
import { expect, test } from '@playwright/test';
import { signIn, uniqueName } from './console.ts';

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
