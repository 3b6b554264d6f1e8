// Images say what they need: a ram-mode image's page lists its root mode's artifacts (the
// missing rootfs named), then, once a real rootfs tarball is uploaded and measured, the RAM each
// host needs; the role page says it beside the choice of active image; the boot doctor uses the
// same words: a host whose discovery facts (written by bootd's own store) report less RAM can't
// boot, and its page says so before power-on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { DiscoveryStore } from '../../boot-services/store/discovery.ts';
import { adminApi, createVia, randomSubnet, signIn, uniqueName } from './console.ts';

const databaseUrl = process.env.FLEETBOOT_DATABASE_URL;
test.skip(!databaseUrl, 'needs FLEETBOOT_DATABASE_URL (scripts/e2e-ui.sh sets it)');

/** A gzip'd tarball of one 4 MiB file of random bytes (so its unpacked size is measured from its headers). */
function rootfsTarball(): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-rootfs-'));
  try {
    fs.mkdirSync(path.join(dir, 'root/etc'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'root/etc/blob'), Buffer.alloc(4 * 1024 * 1024, 7));
    execFileSync('tar', ['-C', path.join(dir, 'root'), '-czf', path.join(dir, 'rootfs.tar.gz'), '.']);
    return fs.readFileSync(path.join(dir, 'rootfs.tar.gz'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a ram image says what it needs; the role page says it when choosing; the doctor stops a host with too little RAM', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await adminApi(baseURL);
  const { cidr, prefix } = randomSubnet();
  const net = await createVia<{ id: string }>(api, '/api/v1/networks', { name: uniqueName('net'), cidr, gateway: `${prefix}.1`, bootServer: `${prefix}.2`, poolStart: `${prefix}.100`, poolEnd: `${prefix}.150` });
  const role = await createVia<{ id: string; name: string }>(api, '/api/v1/roles', { name: uniqueName('ram'), rootMode: 'ram' });
  const mac = `52:54:00:${prefix.split('.').slice(1).map((n) => Number(n).toString(16).padStart(2, '0')).join(':')}:41`;
  const host = await createVia<{ id: string }>(api, '/api/v1/hosts', { hostname: uniqueName('small'), mac, networkId: net.id, roleId: role.id });
  const image = await createVia<{ id: string }>(api, '/api/v1/images', { roleId: role.id, version: '1' });
  const put = async (kind: string, data: Buffer) => {
    const res = await api.put(`/api/v1/images/${image.id}/artifacts/${kind}`, { data, headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status(), await res.text()).toBe(200);
  };
  await put('kernel', Buffer.from('a kernel'));
  await put('initrd', Buffer.from('an initrd'));
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    await signIn(page);
    await page.goto(`/images/${image.id}`);
    const rootNeed = page.getByTestId('image-need-root');
    await expect(rootNeed).toHaveAttribute('data-met', 'false');
    await expect(rootNeed).toContainText('ram root: the agent unpacks the rootfs tarball into RAM');
    await expect(rootNeed).toContainText('Missing: rootfs tarball');
    await expect(page.getByTestId('image-need-ram')).toContainText('Known once the rootfs is uploaded');
    await page.screenshot({ path: 'test-results/image-needs-missing.png', fullPage: true });

    await put('rootfs', rootfsTarball());
    // Measured in the background after the upload: the page says the RAM once it is known.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('image-need-ram')).toContainText('Each host needs at least', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(rootNeed).toHaveAttribute('data-met', 'true');
    await expect(page.getByTestId('image-need-ram')).toContainText(/at least 26[01] MiB of RAM/);
    await page.screenshot({ path: 'test-results/image-needs-met.png', fullPage: true });

    await page.goto(`/roles/${role.id}`);
    const listed = page.getByTestId('role-image-needs-1');
    await expect(listed.getByTestId('image-need-root')).toHaveAttribute('data-met', 'true');
    await expect(listed.getByTestId('image-need-ram')).toContainText(/at least 26[01] MiB/);
    await expect(page.getByLabel('Active image').locator('option', { hasText: '1 (ready)' })).toHaveCount(1);
    await page.screenshot({ path: 'test-results/image-needs-role.png', fullPage: true });

    expect((await api.patch(`/api/v1/roles/${role.id}`, { data: { activeImageId: image.id, forceActivate: true } })).status()).toBe(200);
    // The machine's agent reports 128 MiB of RAM, through bootd's own discovery store.
    await new DiscoveryStore(pool, 'bootd').recordAgentDiscovery({ mac, ip: `${prefix}.120`, networkId: net.id, facts: { memoryKib: 128 * 1024 } });
    await page.goto(`/hosts/${host.id}`);
    await expect(page.getByTestId('doctor-verdict')).toContainText("It can't boot: less RAM than its ram root needs.");
    await expect(page.getByTestId('doctor-check-ram')).toContainText('It has 128 MiB of RAM (its discovery facts); image 1\'s ram root needs at least');
    await page.screenshot({ path: 'test-results/image-needs-doctor.png', fullPage: true });
  } finally {
    await pool.end();
    await api.dispose();
  }
});
