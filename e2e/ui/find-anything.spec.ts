// Find anything: `/` focuses the console's search box and a MAC typed as printed on the machine
// finds its host; a filtered hosts list saved under a name reopens from its link (and is deleted).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

const shots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

test('`/` focuses the search; a MAC typed with dashes in capitals finds its host and Enter on it opens its page', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const hex = () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  const mac = `52:54:00:${hex()}:${hex()}:${hex()}`;
  const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('macfind'), mac });
  await api.dispose();

  await signIn(page);
  await page.goto('/roles');
  await page.keyboard.press('/');
  const box = page.getByRole('combobox', { name: 'Find hosts, roles, images, networks' });
  await expect(box).toBeFocused();
  await page.keyboard.type(mac.toUpperCase().replace(/:/g, '-'));
  const results = page.getByRole('listbox', { name: 'Search results' });
  await expect(results.getByRole('option')).toHaveCount(1);
  await expect(results.getByRole('option').first()).toContainText(host.hostname);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.screenshot({ path: path.join(shots, 'global-search-1024.png') });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/hosts/${host.id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(host.hostname);
});

test('a saved filter round trip: save the filtered list, reopen it from its link, delete it', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const role = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('saved') });
  const prefix = uniqueName('sf');
  for (let i = 0; i < 2; i++) await createVia(api, '/api/v1/hosts', { hostname: `${prefix}-${i}`, roleId: role.id });
  await createVia(api, '/api/v1/hosts', { hostname: `${prefix}-other` });
  await api.dispose();

  await signIn(page);
  await page.goto(`/hosts?role=${role.name}&q=${prefix}`);
  await expect(page.getByTestId('page-position')).toContainText('of 2 hosts');
  const name = uniqueName('my view');
  await page.getByRole('button', { name: 'Save this filter…' }).click();
  await page.getByLabel('Name of this filter').fill(name);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const link = page.getByTestId('saved-filters').getByRole('link', { name });
  await expect(link).toBeVisible();

  await page.goto('/hosts');
  await page.getByTestId('saved-filters').getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`role=${role.name}`));
  await expect(page.getByTestId('page-position')).toContainText('of 2 hosts');
  await expect(page.getByRole('link', { name: `${prefix}-other` })).toHaveCount(0);

  await page.getByRole('button', { name: `Delete saved filter ${name}` }).click();
  await expect(page.getByTestId('saved-filters').getByRole('link', { name })).toHaveCount(0);
});
