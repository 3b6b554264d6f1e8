// First login: a wrong password is refused next to the field; the right one opens the console.
import { expect, test } from '@playwright/test';
import { adminPassword, adminUser, signIn } from './console.ts';

test('a wrong password is refused with the error next to the password field', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill(adminUser);
  await page.getByLabel('Password').fill(`${adminPassword}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/wrong username or password/);
});

test('the admin signs in, sees the dashboard and signs out', async ({ page }) => {
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/hosts');
  await expect(page).toHaveURL(/\/login/);
});
