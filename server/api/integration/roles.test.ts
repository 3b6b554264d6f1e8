// /api/v1/roles through the real web process: CRUD, root modes, the kernel command line
// template, the active image, and the errors naming the field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createRole, sql, unique, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_roles');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

const status = (res: { status: number; body: any }) => ({ status: res.status, field: res.body?.field });

/** An image of the role made ready the way an upload would leave it (artifacts recorded). */
async function readyImage(roleId: string): Promise<string> {
  const created = await api.post('/images', { roleId, version: unique('v') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const sha = (c: string) => c.repeat(64);
  await sql(app, `INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 10, '/k'), ($2, 10, '/i') ON CONFLICT DO NOTHING`, [sha('a'), sha('b')]);
  await sql(app, `UPDATE "Image" SET "kernelSha256" = $2, "initrdSha256" = $3 WHERE id = $1`, [created.body.id, sha('a'), sha('b')]);
  const ready = await api.patch(`/images/${created.body.id}`, { status: 'ready' });
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  return created.body.id;
}

test('a created role reads back with its root mode, template and rollout defaults', async () => {
  const name = unique('db');
  const res = await api.post('/roles', { name, rootMode: 'nfs', nfsExport: '10.0.0.5:/srv/db', cmdlineTemplate: 'console=ttyS0 root=/dev/nfs nfsroot={nfsExport} ip={ip}' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const read = await api.get(`/roles/${res.body.id}`);
  assert.deepEqual(
    { name: read.body.name, rootMode: read.body.rootMode, nfsExport: read.body.nfsExport, cmdlineTemplate: read.body.cmdlineTemplate, rolloutBatchSize: read.body.rolloutBatchSize },
    { name, rootMode: 'nfs', nfsExport: '10.0.0.5:/srv/db', cmdlineTemplate: 'console=ttyS0 root=/dev/nfs nfsroot={nfsExport} ip={ip}', rolloutBatchSize: 5 },
  );
});

test('PATCH changes the description and keeps the rest', async () => {
  const role = await createRole(api, { rootMode: 'disk', diskRoot: 'LABEL=root' });
  const res = await api.patch(`/roles/${role.id}`, { description: 'front-end web servers' });
  assert.deepEqual({ status: res.status, description: res.body.description, rootMode: res.body.rootMode, diskRoot: res.body.diskRoot }, { status: 200, description: 'front-end web servers', rootMode: 'disk', diskRoot: 'LABEL=root' });
});

test('the UEFI boot chain is iPXE by default and switches to Secure Boot', async () => {
  const role = await createRole(api);
  assert.equal((await api.get(`/roles/${role.id}`)).body.uefiBootChain, 'ipxe');
  const res = await api.patch(`/roles/${role.id}`, { uefiBootChain: 'secure_boot' });
  assert.deepEqual({ status: res.status, chain: res.body.uefiBootChain }, { status: 200, chain: 'secure_boot' });
});

test('DELETE of a role its hosts use → 409 naming them; the role and hosts stay; with no host left it goes', async () => {
  const role = await createRole(api);
  const host = await createHost(api, { roleId: role.id });
  const refused = await api.delete(`/roles/${role.id}`);
  assert.deepEqual(status(refused), { status: 409, field: 'id' });
  assert.match(refused.body.error, new RegExp(`role ${role.name} still has 1 host\\(s\\)`));
  assert.equal((await api.get(`/hosts/${host.id}`)).body.roleId, role.id, 'the host keeps its role');
  assert.equal((await api.delete(`/hosts/${host.id}`)).status, 204);
  assert.equal((await api.delete(`/roles/${role.id}`)).status, 204);
});

test('DELETE of a role with an active image or one on trial → 409 naming it; an image another role\'s host boots by override → 409 naming the host', async () => {
  const role = await createRole(api);
  const image = await readyImage(role.id);
  await sql(app, `UPDATE "Image" SET status = 'verified' WHERE id = $1`, [image]);
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: image })).status, 200);
  const active = await api.delete(`/roles/${role.id}`);
  assert.deepEqual(status(active), { status: 409, field: 'activeImageId' });
  assert.match(active.body.error, /active/);
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: null })).status, 200);
  await sql(app, `UPDATE "Image" SET status = 'trial' WHERE id = $1`, [image]);
  const trial = await api.delete(`/roles/${role.id}`);
  assert.deepEqual(status(trial), { status: 409, field: 'activeImageId' });
  assert.match(trial.body.error, /on trial/);
  await sql(app, `UPDATE "Image" SET status = 'ready' WHERE id = $1`, [image]);
  const other = await createRole(api);
  const host = await createHost(api, { roleId: other.id });
  await sql(app, `UPDATE "Host" SET "imageOverrideId" = $1 WHERE id = $2`, [image, host.id]);
  const held = await api.delete(`/roles/${role.id}`);
  assert.equal(held.status, 409);
  assert.match(held.body.error, new RegExp(`host ${host.hostname} boots image`));
  assert.equal((await api.get(`/roles/${role.id}`)).status, 200, 'nothing was deleted');
  await sql(app, `UPDATE "Host" SET "imageOverrideId" = NULL WHERE id = $1`, [host.id]);
  assert.equal((await api.delete(`/roles/${role.id}`)).status, 204);
});

test('GET of a deleted role is 404', async () => {
  const role = await createRole(api);
  await api.delete(`/roles/${role.id}`);
  assert.equal((await api.get(`/roles/${role.id}`)).status, 404);
});

const invalidRoles: Array<[string, () => Record<string, unknown>, string]> = [
  ['a cmdline with an unknown {variable}', () => ({ name: unique('r'), cmdlineTemplate: 'console=ttyS0 host={hostnmae}' }), 'cmdlineTemplate'],
  ['the nfs root mode without nfsExport', () => ({ name: unique('r'), rootMode: 'nfs' }), 'nfsExport'],
  ['an nfsExport that is not server:/path', () => ({ name: unique('r'), rootMode: 'nfs', nfsExport: '/srv/root' }), 'nfsExport'],
  ['the disk root mode without diskRoot', () => ({ name: unique('r'), rootMode: 'disk' }), 'diskRoot'],
  ['a diskRoot that is a device path', () => ({ name: unique('r'), rootMode: 'disk', diskRoot: '/dev/sda1' }), 'diskRoot'],
  ['an unknown root mode', () => ({ name: unique('r'), rootMode: 'iscsi' }), 'rootMode'],
  ['an unknown UEFI boot chain', () => ({ name: unique('r'), uefiBootChain: 'grub' }), 'uefiBootChain'],
  ['a rollout batch of zero', () => ({ name: unique('r'), rolloutBatchSize: 0 }), 'rolloutBatchSize'],
  ['no name', () => ({ rootMode: 'ram' }), 'name'],
  ['an unknown property', () => ({ name: unique('r'), kernel: 'vmlinuz' }), 'kernel'],
  ['an active image on a new role', () => ({ name: unique('r'), activeImageId: '00000000-0000-4000-8000-000000000004' }), 'activeImageId'],
];

for (const [what, make, field] of invalidRoles) {
  test(`POST with ${what} → 400 naming ${field}`, async () => {
    assert.deepEqual(status(await api.post('/roles', make())), { status: 400, field });
  });
}

test('PATCH switching to the nfs root mode without an export → 400 naming nfsExport', async () => {
  const role = await createRole(api);
  assert.deepEqual(status(await api.patch(`/roles/${role.id}`, { rootMode: 'nfs' })), { status: 400, field: 'nfsExport' });
});

test('PATCH clearing the export of an nfs role → 400 naming nfsExport', async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.5:/srv/r' });
  assert.deepEqual(status(await api.patch(`/roles/${role.id}`, { nfsExport: null })), { status: 400, field: 'nfsExport' });
});

test('PATCH with an unknown {variable} in the cmdline → 400 naming cmdlineTemplate', async () => {
  const role = await createRole(api);
  assert.deepEqual(status(await api.patch(`/roles/${role.id}`, { cmdlineTemplate: 'quiet {kernelArgs}' })), { status: 400, field: 'cmdlineTemplate' });
});

test('a second role with the same name → 409 naming name', async () => {
  const role = await createRole(api);
  assert.deepEqual(status(await api.post('/roles', { name: role.name })), { status: 409, field: 'name' });
});

test('a role whose name differs only in case → 409 naming name; the name keeps its case', async () => {
  const role = await createRole(api);
  assert.deepEqual(status(await api.post('/roles', { name: role.name.toUpperCase() })), { status: 409, field: 'name' });
  const mixed = await api.post('/roles', { name: `Mixed-${role.name}` });
  assert.equal(mixed.status, 201, JSON.stringify(mixed.body));
  assert.equal(mixed.body.name, `Mixed-${role.name}`);
});

test('PATCH renaming a role to a taken name → 409 naming name', async () => {
  const a = await createRole(api);
  const b = await createRole(api);
  assert.deepEqual(status(await api.patch(`/roles/${b.id}`, { name: a.name })), { status: 409, field: 'name' });
});

test('PATCH activating an image still uploading → 400 naming activeImageId', async () => {
  const role = await createRole(api);
  const image = await api.post('/images', { roleId: role.id, version: '1.0.0' });
  assert.deepEqual(status(await api.patch(`/roles/${role.id}`, { activeImageId: image.body.id })), { status: 400, field: 'activeImageId' });
});

test('PATCH activating an image of another role → 400 naming activeImageId', async () => {
  const role = await createRole(api);
  const other = await createRole(api);
  const imageId = await readyImage(other.id);
  assert.deepEqual(status(await api.patch(`/roles/${role.id}`, { activeImageId: imageId })), { status: 400, field: 'activeImageId' });
});

test('a ready image never through the gate is 409 naming activeImageId; an operator may not force it (403); an admin forces it, audited as force-activate', async () => {
  const role = await createRole(api);
  const image = await readyImage(role.id);
  const refused = await api.patch(`/roles/${role.id}`, { activeImageId: image });
  assert.deepEqual(status(refused), { status: 409, field: 'activeImageId' });
  assert.match(refused.body.error, /has not passed the health gate/);
  await app.addUser('roles-operator', 'operator-password-1', 'operator');
  const operator = apiClient(app.url, { cookie: await app.signIn('roles-operator', 'operator-password-1') });
  assert.equal((await operator.patch(`/roles/${role.id}`, { activeImageId: image, forceActivate: true })).status, 403);
  assert.equal((await api.get(`/roles/${role.id}`)).body.activeImageId, null, 'still none');
  const forced = await api.patch(`/roles/${role.id}`, { activeImageId: image, forceActivate: true });
  assert.deepEqual({ status: forced.status, active: forced.body.activeImageId }, { status: 200, active: image });
  const audit = await sql(app, `SELECT action, actor FROM "AuditLog" WHERE entity = 'role' AND "entityId" = $1 ORDER BY id DESC LIMIT 1`, [role.id]);
  assert.deepEqual(audit.rows[0], { action: 'force-activate', actor: 'admin' });
});

test('a verified image becomes active without force, and the one before it is kept as the previous one (rollback target)', async () => {
  const role = await createRole(api);
  const first = await readyImage(role.id);
  const second = await readyImage(role.id);
  await sql(app, `UPDATE "Image" SET status = 'verified' WHERE id = ANY($1::uuid[])`, [[first, second]]);
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: first })).status, 200);
  const res = await api.patch(`/roles/${role.id}`, { activeImageId: second });
  assert.deepEqual({ status: res.status, active: res.body.activeImageId, previous: res.body.previousImageId }, { status: 200, active: second, previous: first });
  const audit = await sql(app, `SELECT action FROM "AuditLog" WHERE entity = 'role' AND "entityId" = $1 ORDER BY id DESC LIMIT 1`, [role.id]);
  assert.equal(audit.rows[0].action, 'update');
});

test('the list filters by q on the name and counts the hosts of each role', async () => {
  const tag = unique('lvs');
  const role = await createRole(api, { name: `${tag}-edge` });
  await createHost(api, { roleId: role.id });
  await createHost(api, { roleId: role.id });
  const res = await api.get(`/roles?q=${tag}`);
  assert.deepEqual(res.body.items.map((r: any) => [r.name, r.hostCount]), [[`${tag}-edge`, 2]]);
});
