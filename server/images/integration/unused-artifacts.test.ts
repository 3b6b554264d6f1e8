// Artifact files no image uses any more are removed, through the real web process (issue 17
// item 7): a forced re-upload's replaced file, a deleted image's own files, a deleted role's
// images' files, and a crash's stray file; never a file another image (active, previous, on
// trial or any other) still names, and never a row younger than its grace.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { until } from '../../testing/until.ts';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createRole, sql, unique, type Api } from '../../api/integration/fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let app: TestWebApp;
let api: Api;
let cookie: string;
before(async () => {
  app = await startTestWebApp('unused_artifacts');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
});
after(async () => { await app?.stop(); });

async function put(imageId: string, kind: string, body: Buffer, force = false): Promise<string> {
  const res = await fetch(`${app.url}/api/v1/images/${imageId}/artifacts/${kind}${force ? '?force=true' : ''}`, {
    method: 'PUT', headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', 'x-checksum-sha256': sha(body) }, body: new Uint8Array(body),
  });
  assert.equal(res.status, 200, await res.text());
  return (await sql(app, 'SELECT path FROM "Artifact" WHERE sha256 = $1', [sha(body)])).rows[0].path as string;
}

async function image(roleId: string, files: { kernel: Buffer; initrd: Buffer }) {
  const made = await api.post('/images', { roleId, version: unique('v') });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return { id: made.body.id as string, kernel: await put(made.body.id, 'kernel', files.kernel), initrd: await put(made.body.id, 'initrd', files.initrd) };
}

/** Past the rows' grace (a minute): as if uploaded an hour ago. */
const age = () => sql(app, `UPDATE "Artifact" SET "createdAt" = now() - interval '1 hour'`);
const rowOf = async (file: string) => (await sql(app, 'SELECT 1 FROM "Artifact" WHERE sha256 = $1', [path.basename(file)])).rowCount;
const gone = (file: string) => until(`${path.basename(file).slice(0, 12)}… removed`, async () => !fs.existsSync(file) && (await rowOf(file)) === 0, 30_000);

test('a replaced file, a deleted image\'s and a deleted role\'s files go; a file another image names stays', async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const sharedKernel = randomBytes(64 * 1024);
  const v1 = await image(role.id, { kernel: sharedKernel, initrd: randomBytes(32 * 1024) });
  const v2 = await image(role.id, { kernel: sharedKernel, initrd: randomBytes(32 * 1024) });
  assert.equal(v1.kernel, v2.kernel, 'one file for the same content');
  // v2 is the role's active image (forced: the gate isn't under test here).
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: v2.id, forceActivate: true })).status, 200);
  await age();

  // A forced re-upload replaces v1's initrd: the old file is no image's now.
  const newInitrd = await put(v1.id, 'initrd', randomBytes(32 * 1024), true);
  await gone(v1.initrd);
  assert.ok(fs.existsSync(newInitrd), 'the new file stays');
  assert.ok(fs.existsSync(v2.initrd) && fs.existsSync(v2.kernel), 'the active image\'s files stay');

  // v1 deleted: its own initrd goes, the kernel v2 shares stays.
  await age();
  assert.equal((await api.delete(`/images/${v1.id}`)).status, 204);
  await gone(newInitrd);
  assert.ok(fs.existsSync(v1.kernel), 'a file the active image names stays');
  assert.equal(await rowOf(v1.kernel), 1);

  // The role (no hosts, active image cleared) deleted: its images' files go.
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: null })).status, 200);
  assert.equal((await api.delete(`/roles/${role.id}`)).status, 204);
  await gone(v2.kernel);
  await gone(v2.initrd);
});

test('a row in its grace stays; a stray file (a crash between unlink and commit) goes once old, a fresh one stays', async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const v1 = await image(role.id, { kernel: randomBytes(16 * 1024), initrd: randomBytes(16 * 1024) });
  const store = path.dirname(v1.kernel);
  const oldStray = path.join(store, sha(randomBytes(8)));
  const freshStray = path.join(store, sha(randomBytes(8)));
  fs.writeFileSync(oldStray, 'left by a crash');
  fs.writeFileSync(freshStray, 'an upload publishing right now');
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(oldStray, hourAgo, hourAgo);

  // Deleted within the minute its files were recorded: they stay for the next pass.
  assert.equal((await api.delete(`/images/${v1.id}`)).status, 204);
  await until('the stray file removed', () => !fs.existsSync(oldStray), 30_000);
  assert.ok(fs.existsSync(freshStray), 'a stray file younger than its grace stays');
  assert.ok(fs.existsSync(v1.kernel) && (await rowOf(v1.kernel)) === 1, 'a row in its grace stays');

  // The next pass (any delete) takes them once past the grace.
  await age();
  const other = await image(role.id, { kernel: randomBytes(16 * 1024), initrd: randomBytes(16 * 1024) });
  assert.equal((await api.delete(`/images/${other.id}`)).status, 204);
  await gone(v1.kernel);
  await gone(v1.initrd);
  fs.rmSync(freshStray, { force: true });
});
