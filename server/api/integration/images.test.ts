// /api/v1/images (metadata) through the real web process: register a version, read, change
// notes and status, delete, and the rules that keep a role's boot image safe.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createRole, sql, unique, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_images');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

async function createImage(roleId: string, version = unique('v')) {
  const res = await api.post('/images', { roleId, version });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; version: string };
}

async function recordArtifacts(imageId: string) {
  const sha = (c: string) => c.repeat(64);
  await sql(app, `INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 4096, '/k'), ($2, 8192, '/i') ON CONFLICT DO NOTHING`, [sha('c'), sha('d')]);
  await sql(app, `UPDATE "Image" SET "kernelSha256" = $2, "initrdSha256" = $3 WHERE id = $1`, [imageId, sha('c'), sha('d')]);
}

test('a registered image is uploading, made by its creator, and reads back with its role', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id, '2026.11.1');
  const read = await api.get(`/images/${image.id}`);
  assert.deepEqual(
    { version: read.body.version, status: read.body.status, createdBy: read.body.createdBy, role: read.body.role?.name, kernel: read.body.kernel },
    { version: '2026.11.1', status: 'uploading', createdBy: 'admin', role: role.name, kernel: null },
  );
});

test('PATCH changes the notes', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  const res = await api.patch(`/images/${image.id}`, { notes: 'kernel 6.1.0-28' });
  assert.deepEqual({ status: res.status, notes: res.body.notes }, { status: 200, notes: 'kernel 6.1.0-28' });
});

test('an image with kernel and initrd uploaded can be marked ready; the sizes read back as numbers', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  await recordArtifacts(image.id);
  const res = await api.patch(`/images/${image.id}`, { status: 'ready' });
  const read = await api.get(`/images/${image.id}`);
  assert.deepEqual({ status: res.status, imageStatus: read.body.status, kernelBytes: read.body.kernel?.sizeBytes }, { status: 200, imageStatus: 'ready', kernelBytes: 4096 });
});

test('DELETE removes an image: 204, then 404', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  assert.equal((await api.delete(`/images/${image.id}`)).status, 204);
  assert.equal((await api.get(`/images/${image.id}`)).status, 404);
});

test('the same version twice for one role → 409 naming version', async () => {
  const role = await createRole(api);
  await createImage(role.id, '1.2.3');
  assert.deepEqual(status(await api.post('/images', { roleId: role.id, version: '1.2.3' })), { status: 409, field: 'version' });
});

test('the same version for another role is its own image', async () => {
  const a = await createRole(api);
  const b = await createRole(api);
  await createImage(a.id, '1.2.3');
  assert.equal((await api.post('/images', { roleId: b.id, version: '1.2.3' })).status, 201);
});

const invalidImages: Array<[string, () => Record<string, unknown>, string]> = [
  ['no role', () => ({ version: '1.0' }), 'roleId'],
  ['a role that does not exist', () => ({ roleId: '00000000-0000-4000-8000-000000000005', version: '1.0' }), 'roleId'],
  ['a version with a slash', () => ({ roleId: '00000000-0000-4000-8000-000000000005', version: '1.0/evil' }), 'version'],
  ['an unknown property', () => ({ roleId: '00000000-0000-4000-8000-000000000005', version: '1.0', status: 'active' }), 'status'],
];

for (const [what, make, field] of invalidImages) {
  test(`POST with ${what} → 400 naming ${field}`, async () => {
    assert.deepEqual(status(await api.post('/images', make())), { status: 400, field });
  });
}

test('marking an image ready before its kernel and initrd are uploaded → 400 naming status', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  assert.deepEqual(status(await api.patch(`/images/${image.id}`, { status: 'ready' })), { status: 400, field: 'status' });
});

test('PATCH setting the status to active (the lifecycle\'s job) → 400 naming status', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  assert.deepEqual(status(await api.patch(`/images/${image.id}`, { status: 'active' })), { status: 400, field: 'status' });
});

test('deleting the image a role boots → 409, and the image stays', async () => {
  const role = await createRole(api);
  const image = await createImage(role.id);
  await recordArtifacts(image.id);
  await api.patch(`/images/${image.id}`, { status: 'ready' });
  const activate = await api.patch(`/roles/${role.id}`, { activeImageId: image.id, forceActivate: true });
  assert.equal(activate.status, 200, JSON.stringify(activate.body));
  const del = await api.delete(`/images/${image.id}`);
  assert.deepEqual({ status: del.status, after: (await api.get(`/images/${image.id}`)).status }, { status: 409, after: 200 });
});

test('the list filters by role and by status, newest first by default', async () => {
  const role = await createRole(api);
  const first = await createImage(role.id, '1.0.0');
  await new Promise((r) => setTimeout(r, 20)); // distinct createdAt: the order under test
  const second = await createImage(role.id, '1.1.0');
  await recordArtifacts(second.id);
  await api.patch(`/images/${second.id}`, { status: 'ready' });
  const all = await api.get(`/images?roleId=${role.id}`);
  const ready = await api.get(`/images?roleId=${role.id}&status=ready`);
  assert.deepEqual({ all: all.body.items.map((i: any) => i.id), ready: ready.body.items.map((i: any) => i.id) }, { all: [second.id, first.id], ready: [second.id] });
});

test('an unknown status filter → 400 naming status', async () => {
  assert.deepEqual(status(await api.get('/images?status=shiny')), { status: 400, field: 'status' });
});
