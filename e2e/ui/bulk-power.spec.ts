// Bulk power from the hosts list: an operator selects hosts and queues a cycle from the bulk
// bar (its dialog states the count); the panel
// follows the action host by host, its cancel leaves the hosts still queued unsent, and the
// BMC's error shows next to the host it failed. A viewer sees the progress and no controls.
// The BMCs are an address where nothing answers: the queue's behaviour, not IPMI, is on test
// here (server/power/integration/bulk-power.test.ts drives real ipmi_sim BMCs).
import { expect, test } from '@playwright/test';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

test('queue a cycle from the hosts list, follow it, cancel it; a viewer sees it without controls', async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  const api = await adminApi(baseURL);
  const role = await createVia(api, '/api/v1/roles', { name: uniqueName('bulk'), rolloutMaxConcurrent: 1 });
  const prefix = uniqueName('bmc');
  const hostnames = [0, 1, 2].map((i) => `${prefix}-${i}`);
  for (const hostname of hostnames) await createVia(api, '/api/v1/hosts', { hostname, roleId: role.id, bmcAddress: '127.0.0.1:9', bmcUser: 'admin', bmcPassword: 'not-answered' });
  const viewer = uniqueName('viewer');
  const password = `pw-${uniqueName('secret')}`;
  await createVia(api, '/api/v1/users', { username: viewer, password, role: 'viewer' });
  await api.dispose();

  await signIn(page);
  await page.goto(`/hosts?q=${prefix}`);
  for (const h of hostnames) await page.getByLabel(`Select ${h}`).check();
  await page.getByLabel('Bulk action').selectOption('power');
  await page.getByLabel('Power to').selectOption('cycle');
  await page.getByRole('button', { name: 'Apply…' }).click();
  await expect(page.getByRole('dialog').getByRole('heading')).toHaveText('Power cycle: 3 hosts?');
  await page.getByRole('dialog').getByRole('button', { name: 'Power: 3 hosts' }).click();

  const action = page.getByTestId('bulk-power-action').filter({ hasText: hostnames[0]! });
  await expect(action).toContainText('3 hosts');
  await expect(action).toContainText('at most 1 booting at once');
  // One host at a time: the first is being sent (its BMC takes seconds not to answer), two wait.
  await expect(action.getByTestId('bulk-power-counts')).toContainText('2 queued');
  await action.getByRole('button', { name: 'Cancel' }).click();
  await expect(action.getByTestId('bulk-power-state')).toContainText('cancelled');
  await expect(action.getByTestId('bulk-power-counts')).toContainText('2 not sent');
  await expect(action).toContainText('no answer from the BMC at 127.0.0.1:9', { timeout: 30_000 });
  await expect(action.getByTestId('bulk-power-counts')).toContainText('1 failed');

  await page.context().clearCookies();
  await signIn(page, viewer, password);
  await page.goto(`/hosts?q=${prefix}`);
  await expect(page.getByTestId('bulk-power-action').filter({ hasText: hostnames[0]! })).toContainText('1 failed');
  await expect(page.getByRole('button', { name: 'Apply…' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(page.getByLabel(`Select ${hostnames[0]}`)).toHaveCount(0);
});
