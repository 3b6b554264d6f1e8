// The boot doctor through the real web process: GET /api/v1/hosts/{id}/doctor for one host
// (the verdict, each check, per firmware what DHCP gives and the config bootd serves) and
// GET /api/v1/doctor for the fleet's hosts that can't boot, grouped by cause; viewers may read
// both, strangers may not; a host that doesn't exist is a 404.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createNetwork, createRole, sql, unique, uniqueMac, type Api } from './fixtures.ts';

let app: TestWebApp;
let api: Api;
before(async () => {
  app = await startTestWebApp('api_boot_doctor');
  api = apiClient(app.url, { cookie: await app.signIn() });
});
after(async () => { await app?.stop(); });

/** A role whose active image has a kernel and an initrd (an nfs role needs no rootfs). */
async function roleWithImage(): Promise<{ id: string; name: string; imageId: string }> {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root' });
  const image = await api.post('/images', { roleId: role.id, version: '1' });
  assert.equal(image.status, 201, JSON.stringify(image.body));
  for (const kind of ['kernel', 'initrd']) {
    const res = await fetch(`${app.url}/api/v1/images/${image.body.id}/artifacts/${kind}`, { method: 'PUT', headers: { cookie: await app.signIn(), origin: app.url, 'content-type': 'application/octet-stream' }, body: `a ${kind}` });
    assert.equal(res.status, 200, await res.text());
  }
  const active = await api.patch(`/roles/${role.id}`, { activeImageId: image.body.id, forceActivate: true });
  assert.equal(active.status, 200, JSON.stringify(active.body));
  return { ...role, imageId: image.body.id };
}

test('a host that can boot: every check ok, the boot file per firmware and the config bootd serves', async () => {
  const net = await createNetwork(api);
  const role = await roleWithImage();
  const host = await createHost(api, { mac: uniqueMac(), ip: net.at(20), roleId: role.id });
  const res = await api.get(`/hosts/${host.id}/doctor`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const d = res.body;
  assert.deepEqual({ canBoot: d.canBoot, cause: d.cause, failing: d.checks.filter((c: any) => c.status === 'fail') }, { canBoot: true, cause: null, failing: [] });
  assert.match(d.checks.find((c: any) => c.key === 'address').detail, new RegExp(`Reserved ${net.at(20).replace(/\./g, '\\.')}`));
  const bios = d.firmwares.find((f: any) => f.firmware === 'bios');
  assert.equal(bios.dhcpBootFile, 'pxelinux.0');
  assert.equal(bios.nextServer, net.at(2), "the network's boot server");
  assert.match(bios.config.text, new RegExp(`KERNEL images/${role.imageId}/kernel`));
  assert.match(d.cmdline, new RegExp(`fleetboot\\.host=${host.hostname} fleetboot\\.role=${role.name} fleetboot\\.root=nfs`));
});

test('a host whose role has no image, and one waiting for hardware: can\'t boot, with the cause and what to try', async () => {
  const net = await createNetwork(api);
  const empty = await createRole(api);
  const noImage = await createHost(api, { mac: uniqueMac(), networkId: net.id, roleId: empty.id });
  const d = (await api.get(`/hosts/${noImage.id}/doctor`)).body;
  assert.deepEqual({ canBoot: d.canBoot, cause: d.cause }, { canBoot: false, cause: 'role-without-image' });
  const image = d.checks.find((c: any) => c.key === 'image');
  assert.match(image.detail, new RegExp(`role ${empty.name} has no active image`));
  assert.match(image.hint, /Upload an image for the role/);

  const waiting = await createHost(api, { ip: net.at(30), roleId: empty.id });
  const w = (await api.get(`/hosts/${waiting.id}/doctor`)).body;
  assert.equal(w.cause, 'no-mac');
  assert.deepEqual(w.firmwares, [], 'no MAC: DHCP has nothing to match, no firmware path to show');
});

test('the fleet summary groups the hosts that can\'t boot by cause, most first, with their names', async () => {
  const net = await createNetwork(api);
  const empty = await createRole(api, { name: unique('noimage') });
  const names = [unique('db'), unique('db')];
  for (const hostname of names) await createHost(api, { hostname, mac: uniqueMac(), networkId: net.id, roleId: empty.id });
  // On no network bootd serves (it runs at 127.0.0.1 here): DHCP never sees it, the first cause.
  const lost = await createHost(api, { mac: uniqueMac(), roleId: empty.id });
  const res = await api.get('/doctor');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const { rows } = await sql(app, 'SELECT count(*)::int AS n FROM "Host"');
  assert.equal(res.body.hosts, rows[0].n);
  const counts = res.body.groups.map((g: any) => g.hosts.length);
  assert.deepEqual(counts, [...counts].sort((a: number, b: number) => b - a), 'most first');
  assert.equal(res.body.cannotBoot, counts.reduce((a: number, b: number) => a + b, 0));
  const group = res.body.groups.find((g: any) => g.cause === 'role-without-image');
  assert.equal(group.text, 'role has no active image');
  for (const name of names) assert.ok(group.hosts.some((h: any) => h.hostname === name), `${name} in its group`);
  const noNetwork = res.body.groups.find((g: any) => g.cause === 'no-network');
  assert.ok(noNetwork?.hosts.some((h: any) => h.id === lost.id), JSON.stringify(res.body.groups));
});

test('viewers read the doctor; without a session it is 401; an unknown host is 404', async () => {
  const host = await createHost(api);
  await app.addUser('doctor-viewer', 'viewer-password-1', 'viewer');
  const viewer = apiClient(app.url, { cookie: await app.signIn('doctor-viewer', 'viewer-password-1') });
  assert.equal((await viewer.get(`/hosts/${host.id}/doctor`)).status, 200);
  assert.equal((await viewer.get('/doctor')).status, 200);
  const stranger = apiClient(app.url, {});
  assert.equal((await stranger.get(`/hosts/${host.id}/doctor`)).status, 401);
  assert.equal((await stranger.get('/doctor')).status, 401);
  assert.equal((await api.get('/hosts/00000000-0000-4000-8000-000000000000/doctor')).status, 404);
});
