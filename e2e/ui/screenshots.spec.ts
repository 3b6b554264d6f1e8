// Screenshots of the main pages (e2e/ui/screenshots/*.png) for a person to look at after a
// change to the console: layout, overflow, contrast, empty states. Each page must also load
// without an error boundary.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  // Not 'networkidle': the live pages hold an event stream open.
  await page.waitForLoadState('load');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByText('Application error')).toHaveCount(0);
  // The sidebar is sticky: capture from the top so it sits where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

test('screenshots of the main pages', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await adminApi(baseURL);
  const net = randomSubnet();
  const network = await createVia<{ id: string; name: string }>(api, '/api/v1/networks', {
    name: uniqueName('rack'),
    cidr: net.cidr,
    gateway: `${net.prefix}.1`,
    bootServer: `${net.prefix}.5`,
    poolStart: `${net.prefix}.200`,
    poolEnd: `${net.prefix}.250`,
    dnsServers: [`${net.prefix}.2`],
  });
  const role = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('web'), description: 'Front-end web servers' });
  await createVia(api, '/api/v1/images', { roleId: role.id, version: '2026.11.1', notes: 'first build' });
  const host = await createVia<{ id: string }>(api, '/api/v1/hosts', { hostname: uniqueName('web'), ip: `${net.prefix}.21`, networkId: network.id, roleId: role.id, serial: 'SN-0001' });
  for (let i = 22; i < 26; i++) {
    await createVia(api, '/api/v1/hosts', { hostname: uniqueName('web'), mac: `52:54:00:${net.prefix.split('.')[1]!.padStart(2, '0').slice(-2)}:${(i % 256).toString(16).padStart(2, '0')}:${Math.floor(Math.random() * 256).toString(16).padStart(2, '0')}`, ip: `${net.prefix}.${i}`, networkId: network.id, roleId: role.id });
  }
  await api.dispose();

  await page.goto('/login');
  await shoot(page, 'login');
  await signIn(page);
  const pages: Array<[string, string]> = [
    ['dashboard', '/'],
    ['hosts', '/hosts'],
    ['host', `/hosts/${host.id}`],
    ['host-new', '/hosts/new'],
    ['hosts-import', '/hosts/import'],
    ['networks', '/networks'],
    ['network', `/networks/${network.id}`],
    ['roles', '/roles'],
    ['role', `/roles/${role.id}`],
    ['images', '/images'],
    ['audit', '/audit'],
    ['tokens', '/tokens'],
    ['users', '/users'],
    ['hosts-empty-filter', `/hosts?q=${uniqueName('nothing')}`],
  ];
  for (const [name, url] of pages) {
    await page.goto(url);
    await shoot(page, name);
  }

  // Forms with errors: a field error and an import report.
  await page.goto('/hosts/new');
  await page.getByLabel('Hostname').fill('-bad-');
  await page.getByLabel('IP address').fill('300.1.1.1');
  await page.getByRole('button', { name: 'Register host' }).click();
  await expect(page.locator('[role=alert]').first()).toBeVisible();
  await shoot(page, 'host-new-errors');

  await page.goto('/hosts/import');
  await page.getByLabel('Host list').fill(`hostname,ip,role\nok-${Date.now()},${net.prefix}.40,${role.name}\nBAD_NAME,,\nthird,${net.prefix}.999,no-such-role`);
  await page.getByRole('button', { name: 'Import hosts' }).click();
  await expect(page.getByRole('table', { name: 'Import problems' })).toBeVisible();
  await shoot(page, 'hosts-import-errors');
});
