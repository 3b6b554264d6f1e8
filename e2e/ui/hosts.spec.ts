// The operator's first day: a network, a role, a host registered before its hardware, its role
// assigned, found again by search; and an address outside the network refused at the IP field.
import { expect, test } from '@playwright/test';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

test('create a network, a role and a host without MAC, assign its role, find it by search', async ({ page }) => {
  const net = randomSubnet();
  const networkName = uniqueName('net');
  const roleName = uniqueName('role');
  const hostname = uniqueName('host');
  await signIn(page);

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Networks' }).click();
  await page.getByRole('link', { name: 'New network' }).click();
  await page.getByLabel('Name', { exact: true }).fill(networkName);
  await page.getByLabel('CIDR').fill(net.cidr);
  await page.getByLabel('Gateway').fill(`${net.prefix}.1`);
  await page.getByRole('button', { name: 'Create network' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Network ${networkName} created` })).toBeVisible();
  await expect(page.getByRole('heading', { name: networkName })).toBeVisible();

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Roles' }).click();
  await page.getByRole('link', { name: 'New role' }).click();
  await page.getByLabel('Name', { exact: true }).fill(roleName);
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('heading', { name: roleName })).toBeVisible();

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Hosts' }).click();
  await page.getByRole('link', { name: 'New host' }).click();
  await page.getByLabel('Hostname').fill(hostname);
  await page.getByLabel('IP address').fill(`${net.prefix}.20`);
  await page.getByLabel('Network', { exact: true }).selectOption({ label: `${networkName} (${net.cidr})` });
  await page.getByRole('button', { name: 'Register host' }).click();
  await expect(page.getByRole('heading', { name: hostname })).toBeVisible();
  await expect(page.getByText('waiting for hardware').first()).toBeVisible();

  await page.getByLabel('Role', { exact: true }).selectOption({ label: roleName });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Saved ${hostname}` })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Role', { exact: true })).toHaveValue(/.+/);
  await expect(page.getByLabel('Role', { exact: true }).locator('option:checked')).toHaveText(roleName);

  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Hosts' }).click();
  await page.getByLabel('Search').fill(hostname);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${hostname}`));
  const rows = page.getByRole('table', { name: 'Hosts' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(hostname);
  await expect(rows.first()).toContainText(roleName);
  await expect(rows.first()).toContainText('waiting for hardware');
});

test('an IP outside the network is refused, with the error next to the IP field', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const net = randomSubnet();
  const networkName = uniqueName('net');
  await createVia(api, '/api/v1/networks', { name: networkName, cidr: net.cidr });
  await signIn(page);

  await page.goto('/hosts/new');
  await page.getByLabel('Hostname').fill(uniqueName('host'));
  await page.getByLabel('Network', { exact: true }).selectOption({ label: `${networkName} (${net.cidr})` });
  await page.getByLabel('IP address').fill('192.0.2.77');
  await page.getByRole('button', { name: 'Register host' }).click();
  const ip = page.getByLabel('IP address');
  await expect(ip).toHaveAttribute('aria-invalid', 'true');
  await expect(ip).toHaveAccessibleDescription(/192\.0\.2\.77/);
  await expect(page.locator('#field-ip-error')).toBeVisible();
  // The other fields carry no error, and nothing was created.
  await expect(page.getByLabel('Hostname')).toHaveAttribute('aria-invalid', 'false');
  await expect(page).toHaveURL(/\/hosts\/new$/);

  // A malformed address is refused the same way, before any network rule.
  await ip.fill('10.1.2');
  await page.getByRole('button', { name: 'Register host' }).click();
  await expect(ip).toHaveAccessibleDescription(/must be an IPv4 address/);
  await api.dispose();
});
