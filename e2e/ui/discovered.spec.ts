// The Discovered page: machines no host knows, as bootd records them (its own discovery store:
// a DHCP sighting, and an agent's facts), listed with their hardware and when they were seen;
// one is claimed into the host waiting for it (its serial matches, so that host is suggested),
// another into a new host named on the page; a taken hostname is refused next to the form.
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { DiscoveryStore } from '../../boot-services/store/discovery.ts';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

const databaseUrl = process.env.FLEETBOOT_DATABASE_URL;
test.skip(!databaseUrl, 'needs FLEETBOOT_DATABASE_URL (scripts/e2e-ui.sh sets it)');

test('discovered machines: facts listed, claimed into the waiting host it matches and into a new host', async ({ page, baseURL }) => {
  const api = await adminApi(baseURL);
  const { cidr, prefix } = randomSubnet();
  const net = await createVia<{ id: string; name: string }>(api, '/api/v1/networks', { name: uniqueName('disc'), cidr, gateway: `${prefix}.1`, bootServer: `${prefix}.2`, poolStart: `${prefix}.100`, poolEnd: `${prefix}.150` });
  const role = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('web') });
  const macBase = `52:54:00:${prefix.split('.').slice(1).map((n) => Number(n).toString(16).padStart(2, '0')).join(':')}`;
  const [macA, macB, macC] = [`${macBase}:a1`, `${macBase}:b2`, `${macBase}:c3`];
  const serial = uniqueName('SN').toUpperCase();
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    const store = new DiscoveryStore(pool, 'bootd');
    await store.recordAgentDiscovery({ mac: macA, ip: `${prefix}.101`, networkId: net.id, facts: { vendor: 'QEMU', product: 'Standard PC (i440FX + PIIX, 1996)', serial, cpus: 2, memoryKib: 2 * 1024 * 1024, disks: [], nics: [] } });
    await store.recordAgentDiscovery({ mac: macB, ip: `${prefix}.102`, networkId: net.id, facts: { vendor: 'QEMU', cpus: 1, memoryKib: 512 * 1024, disks: [], nics: [] } });
    await store.writeSightings({ macs: [macC], networkIds: [net.id], ips: [`${prefix}.103`], seenAtMs: [Date.now()] });
    // Registered after the machine booted, so bootd's automatic claim did not take it: the page suggests it.
    const waiting = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('rack7-u12'), serial, networkId: net.id, roleId: role.id });
    const taken = await createVia<{ hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('taken') });

    await signIn(page);
    await page.goto('/');
    await page.getByRole('link', { name: 'Discovered', exact: true }).click();
    const rowA = page.getByTestId(`discovered-${macA.replaceAll(':', '-')}`);
    await expect(rowA).toContainText('QEMU Standard PC');
    await expect(rowA).toContainText(`serial ${serial}`);
    await expect(rowA).toContainText('2 CPUs · 2.0 GiB RAM');
    await expect(page.getByTestId(`discovered-${macC.replaceAll(':', '-')}`)).toContainText('DHCP only: no facts yet');
    await expect(rowA.getByLabel(`Claim ${macA} into`)).toHaveValue(waiting.id);
    await expect(rowA.getByLabel(`Claim ${macA} into`).locator('option:checked')).toHaveText(`${waiting.hostname} (serial matches)`);
    await page.screenshot({ path: 'test-results/discovered-page.png', fullPage: true });

    await rowA.getByRole('button', { name: 'Claim' }).click();
    await expect(page).toHaveURL(new RegExp(`/hosts/${waiting.id}`));
    await expect(page.getByLabel('MAC address')).toHaveValue(macA);

    await page.goto('/discovered');
    await expect(page.getByTestId(`discovered-${macA.replaceAll(':', '-')}`)).toHaveCount(0);
    const rowB = page.getByTestId(`discovered-${macB.replaceAll(':', '-')}`);
    await rowB.getByLabel(`Claim ${macB} into`).selectOption('new');
    await rowB.getByLabel(`Hostname for ${macB}`).fill(taken.hostname);
    await rowB.getByLabel(`Role for ${macB}`).selectOption({ label: role.name });
    await rowB.getByRole('button', { name: 'Claim' }).click();
    await expect(rowB.getByRole('alert')).toContainText(`a host named ${taken.hostname} exists`);
    const fresh = uniqueName('web-new');
    await rowB.getByLabel(`Hostname for ${macB}`).fill(fresh);
    await rowB.getByRole('button', { name: 'Claim' }).click();
    await expect(page.getByRole('heading', { name: fresh })).toBeVisible();
    await expect(page.getByLabel('MAC address')).toHaveValue(macB);
    await expect(page.getByLabel('Network', { exact: true })).toHaveValue(net.id);

    const claimed = await pool.query('SELECT mac, "claimedById" FROM "DiscoveredMachine" WHERE mac = ANY($1) ORDER BY mac', [[macA, macB]]);
    expect(claimed.rows.map((r: { claimedById: string | null }) => r.claimedById !== null)).toEqual([true, true]);
  } finally {
    await pool.end();
    await api.dispose();
  }
});
