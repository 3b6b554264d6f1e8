// An image's life in the console: upload its kernel (progress bar, a resumable upload in
// chunks) and initrd, stage it on a spare without a BMC (the page asks for a reboot by hand),
// watch the gate pass when the spare reports up, promote it and follow the rollout host by
// host, then roll the role back. And a chunk lost on the way: the upload goes on from the
// server's offset. The agent's "up" reports are written as bootd writes them (BootEvent rows).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
  expect((await api.patch(`/api/v1/roles/${role.id}`, { data: { activeImageId: v1.id, forceActivate: true } })).status()).toBe(200);
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
  const chunks: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/api/v1/uploads/')) chunks.push(r.headers()['upload-offset'] ?? '?');
  });
  try {
    const kernel = page.locator('[data-artifact="kernel"]');
    await kernel.getByLabel('Kernel file').setInputFiles(kernelFile);
    await kernel.getByRole('button', { name: 'Upload kernel' }).click();
    await expect(kernel.getByRole('progressbar', { name: 'Kernel upload progress' })).toBeVisible();
    await expect(kernel.getByText(/uploaded: sha256/)).toBeVisible({ timeout: 60_000 });
    // 384 MiB in 16 MiB chunks, each at the offset the previous one ended.
    expect(chunks).toEqual(Array.from({ length: 24 }, (_, i) => String(i * 16 * 1024 * 1024)));
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

test('a chunk lost on the way: the upload asks the server where it stands and goes on from there', async ({ page, baseURL }) => {
  // 40 MiB handed to the page through the DevTools protocol (base64) and three 16 MiB chunks
  // took 49 s of the default 60 s on a quiet box; a loaded one needs more.
  test.setTimeout(180_000);
  const api = await adminApi(baseURL);
  const role = await createVia(api, '/api/v1/roles', { name: uniqueName('role'), rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const image = await createVia(api, '/api/v1/images', { roleId: role.id, version: 'v1' });
  const file = randomBytes(40 * 1024 * 1024);
  const sha256 = createHash('sha256').update(file).digest('hex');
  const seen: string[] = [];
  let patches = 0;
  // The second chunk's connection is reset before it reaches the server (a dropped link).
  await page.route('**/api/v1/uploads/*', async (route) => {
    const r = route.request();
    seen.push(`${r.method()} ${r.headers()['upload-offset'] ?? ''}`.trim());
    if (r.method() === 'PATCH' && ++patches === 2) return route.abort('connectionreset');
    return route.fallback();
  });
  await signIn(page);
  await page.goto(`/images/${image.id}`);
  const kernel = page.locator('[data-artifact="kernel"]');
  await kernel.getByLabel('Kernel file').setInputFiles({ name: 'vmlinuz', mimeType: 'application/octet-stream', buffer: file });
  await kernel.getByRole('button', { name: 'Upload kernel' }).click();
  await expect(kernel.getByText(`uploaded: sha256 ${sha256.slice(0, 16)}…`)).toBeVisible({ timeout: 60_000 });
  const mib16 = String(16 * 1024 * 1024);
  // The lost chunk at 16 MiB, a GET for the offset, the same chunk again, then the last one.
  expect(seen).toEqual(['PATCH 0', `PATCH ${mib16}`, 'GET', `PATCH ${mib16}`, `PATCH ${32 * 1024 * 1024}`]);
  const stored = await (await api.get(`/api/v1/images/${image.id}`)).json();
  expect(stored.kernelSha256).toBe(sha256);
});
