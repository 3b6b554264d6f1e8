// A viewer sees the fleet but no edit controls, and the API refuses its writes anyway.
import { expect, test } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

test('a viewer sees no edit controls and cannot edit', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const viewer = uniqueName('viewer');
  const password = `pw-${uniqueName('secret')}`;
  await createVia(api, '/api/v1/users', { username: viewer, password, role: 'viewer' });
  const hostname = uniqueName('host');
  const host = await createVia<{ id: string }>(api, '/api/v1/hosts', { hostname, notes: 'left alone' });
  await api.dispose();

  await signIn(page, viewer, password);
  await expect(page.getByTestId('signed-in-user')).toContainText('viewer');
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

  await page.goto('/hosts');
  await expect(page.getByRole('heading', { name: 'Hosts' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'New host' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Import/ })).toHaveCount(0);

  await page.goto(`/hosts/${host.id}`);
  await expect(page.getByRole('heading', { name: hostname })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(page.getByLabel('Hostname')).toBeDisabled();
  await expect(page.getByLabel('Notes')).toBeDisabled();

  for (const path of ['/networks', '/roles']) {
    await page.goto(path);
    await expect(page.getByRole('link', { name: /^New / })).toHaveCount(0);
  }
  // The new-host form itself sends a viewer back to the list.
  await page.goto('/hosts/new');
  await expect(page).toHaveURL(/\/hosts$/);

  // With the viewer's own session, the API refuses the write.
  const res = await page.request.patch(`/api/v1/hosts/${host.id}`, { data: { notes: 'changed by a viewer' }, headers: { origin: new URL(page.url()).origin } });
  expect(res.status()).toBe(403);
  await page.goto(`/hosts/${host.id}`);
  await expect(page.getByLabel('Notes')).toHaveValue('left alone');
});
