// An image's life in the console: upload its kernel (progress bar) and initrd, stage it on a
// spare without a BMC (the page asks for a reboot by hand), watch the gate pass when the spare
// reports up, promote it and follow the rollout host by host, then roll the role back.
// The agent's "up" reports are written as bootd writes them (BootEvent rows).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import pg from 'pg';
import { adminApi, createVia, signIn, uniqueName } from './console.ts';

const databaseUrl = process.env.FLEETBOOT_DATABASE_URL;
test.skip(!databaseUrl, 'needs FLEETBOOT_DATABASE_URL (scripts/e2e-ui.sh sets it)');

function randomMac(): string {
  return ['52', '54', '00', ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0'))].join(':');
}

async function reportUp(hostId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`INSERT INTO "BootEvent" (id, "hostId", source, type, at, detail) VALUES ($1, $2, 'agent', 'up', now(), '{"health":{"ok":true}}')`, [randomUUID(), hostId]);
  } finally {
    await client.end();
  }
}

async function upload(api: APIRequestContext, imageId: string, kind: string, bytes: number) {
  const res = await api.put(`/api/v1/images/${imageId}/artifacts/${kind}`, { data: Buffer.alloc(bytes, kind) });
  expect(res.status(), await res.text()).toBe(200);
}

test('upload with progress, stage, watch the gate, promote + rollout, roll back', async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const api = await adminApi(baseURL);
  const role = await createVia(api, '/api/v1/roles', { name: uniqueName('role'), rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root', rolloutBatchSize: 1 });
  const v1 = await createVia(api, '/api/v1/images', { roleId: role.id, version: 'v1' });
  await upload(api, v1.id, 'kernel', 1000);
  await upload(api, v1.id, 'initrd', 1000);
  expect((await api.patch(`/api/v1/roles/${role.id}`, { data: { activeImageId: v1.id } })).status()).toBe(200);
  const spare = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('spare'), mac: randomMac(), roleId: role.id, spare: true });
  const host = await createVia<{ id: string; hostname: string }>(api, '/api/v1/hosts', { hostname: uniqueName('web'), mac: randomMac(), roleId: role.id });
  const v2 = await createVia(api, '/api/v1/images', { roleId: role.id, version: 'v2' });

  await signIn(page);
  await page.goto(`/images/${v2.id}`);
  await expect(page.getByTestId('image-status')).toHaveText('uploading');

  // A file big enough that the bar is seen moving on loopback.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-upload-'));
  const kernelFile = path.join(dir, 'vmlinuz');
  const fd = fs.openSync(kernelFile, 'w');
  const chunk = Buffer.alloc(8 * 1024 * 1024, 7);
  for (let i = 0; i < 48; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  try {
    const kernel = page.locator('[data-artifact="kernel"]');
    await kernel.getByLabel('Kernel file').setInputFiles(kernelFile);
    await kernel.getByRole('button', { name: 'Upload kernel' }).click();
    await expect(kernel.getByRole('progressbar', { name: 'Kernel upload progress' })).toBeVisible();
    await expect(kernel.getByText(/uploaded: sha256/)).toBeVisible({ timeout: 60_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const initrd = page.locator('[data-artifact="initrd"]');
  await initrd.getByLabel('Initrd file').setInputFiles({ name: 'initrd.img', mimeType: 'application/octet-stream', buffer: Buffer.alloc(64 * 1024, 1) });
  await initrd.getByRole('button', { name: 'Upload initrd' }).click();
  await expect(page.getByTestId('image-status')).toHaveText('ready');

  await page.getByRole('button', { name: 'Stage on a spare' }).click();
  await expect(page.getByTestId('stage-state')).toHaveText('waiting manual');
  await expect(page.getByText(`Reboot ${spare.hostname} by hand now`)).toBeVisible();
  await expect(page.getByTestId('image-status')).toHaveText('trial');
  await reportUp(spare.id);
  await expect(page.getByTestId('stage-state')).toHaveText('verified', { timeout: 20_000 });
  await expect(page.getByTestId('image-status')).toHaveText('verified');

  await page.getByRole('button', { name: 'Promote and roll out' }).click();
  await expect(page.getByTestId('image-status')).toHaveText('active');
  const row = page.locator(`tr[data-host="${host.hostname}"]`);
  await expect(row).toContainText('waiting manual');
  await reportUp(host.id);
  await expect(row).toContainText('up', { timeout: 20_000 });
  await expect(page.getByTestId('rollout-state')).toHaveText('completed');

  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Roll back the role' }).click();
  await expect(page.getByTestId('image-status')).toHaveText('retired');
  await expect(page.getByTestId('rollout')).toContainText('rollback to v1');
  await expect(page.getByText('this is the previous image')).toBeVisible();
});
