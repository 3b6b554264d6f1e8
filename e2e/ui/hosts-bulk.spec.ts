// Bulk actions on the hosts list: select every host a filter matches across pages and change
// their role (the count on the page and in the dialog, the hosts moved, one audit entry naming
// them all); a delete's dialog states its count and Cancel changes nothing. Screenshots of the
// list with a selection at 1024 and 1920 px (e2e/ui/screenshots/hosts-bulk-*.png).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

const shots = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

test('select all 60 hosts of a role across pages and change their role: counts, hosts and one audit entry', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await adminApi(baseURL);
  const from = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('from') });
  const to = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('to') });
  const prefix = uniqueName('sel');
  await createVia(api, '/api/v1/hosts/import', Array.from({ length: 60 }, (_, i) => ({ hostname: `${prefix}-${String(i).padStart(2, '0')}`, role: from.name })));

  await signIn(page);
  await page.goto(`/hosts?roleId=${from.id}&limit=25`);
  await expect(page.getByTestId('page-position')).toHaveText('1–25 of 60 hosts');
  await page.getByLabel('Select every host on this page').check();
  await expect(page.getByTestId('selected-count')).toHaveText('25 selected');
  await page.getByRole('button', { name: 'Select all 60 hosts matching this filter' }).click();
  await expect(page.getByTestId('selected-count')).toHaveText('60 selected');
  // The selection holds on the next page: its rows are ticked too.
  await page.getByRole('link', { name: 'Next page →' }).click();
  await expect(page.getByTestId('page-position')).toHaveText('26–50 of 60 hosts');
  await expect(page.getByTestId('selected-count')).toHaveText('60 selected');
  await expect(page.getByLabel(`Select ${prefix}-30`)).toBeChecked();

  for (const width of [1024, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(shots, `hosts-bulk-${width}.png`), fullPage: false });
  }

  await page.getByLabel('Bulk action').selectOption('role');
  await page.getByLabel('Set role to').selectOption({ label: to.name });
  await page.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading')).toHaveText(`Set the role of 60 hosts to ${to.name}?`);
  await expect(dialog.getByTestId('bulk-confirm-counts')).toHaveText('60 hosts change; 0 hosts already are as asked.');
  await page.screenshot({ path: path.join(shots, 'hosts-bulk-confirm-1920.png') });
  await dialog.getByRole('button', { name: 'Set role: 60 hosts' }).click();
  await expect(page.getByText('Changed 60 hosts')).toBeVisible();

  const moved = await (await api.get(`/api/v1/hosts?roleId=${to.id}&limit=1`)).json();
  const left = await (await api.get(`/api/v1/hosts?roleId=${from.id}&limit=1`)).json();
  const audit = await (await api.get('/api/v1/audit?entity=host&limit=5')).json();
  const entry = audit.items.find((r: { action: string }) => r.action === 'bulk-update');
  expect({ moved: moved.total, left: left.total, audited: entry?.before.hosts.length, set: entry?.after.set }).toEqual({ moved: 60, left: 0, audited: 60, set: { roleId: to.id } });
  await api.dispose();
});

test('a delete states its count; Cancel deletes nothing, confirming deletes exactly the two selected', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const prefix = uniqueName('del');
  for (let i = 0; i < 3; i++) await createVia(api, '/api/v1/hosts', { hostname: `${prefix}-${i}` });

  await signIn(page);
  await page.goto(`/hosts?q=${prefix}`);
  await page.getByLabel(`Select ${prefix}-0`).check();
  await page.getByLabel(`Select ${prefix}-2`).check();
  await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
  await page.getByLabel('Bulk action').selectOption('delete');
  await page.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading')).toHaveText('Delete 2 hosts? Their boot history goes with them.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await (await api.get(`/api/v1/hosts?q=${prefix}`)).json()).total).toBe(3);

  await page.getByRole('button', { name: 'Apply…' }).click();
  await dialog.getByRole('button', { name: 'Delete: 2 hosts' }).click();
  await expect(page.getByText('Deleted 2 hosts')).toBeVisible();
  const rest = await (await api.get(`/api/v1/hosts?q=${prefix}`)).json();
  expect(rest.items.map((h: { hostname: string }) => h.hostname)).toEqual([`${prefix}-1`]);
  await api.dispose();
});
