// The lifecycle through the web process's API and its own worker (started by
// instrumentation.ts): upload → stage on a spare without a BMC (reboot by hand) → the spare's
// "up" as bootd writes it → verified → promote → rollout → rollback.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { createHost, createRole, sql, uniqueMac, type Api } from '../../api/integration/fixtures.ts';
import { until } from '../../testing/until.ts';

let app: TestWebApp;
let api: Api;
let cookie: string;
before(async () => {
  process.env.FLEETBOOT_LIFECYCLE_TICK_MS = '300';
  app = await startTestWebApp('lifecycle_api');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
});
after(async () => { await app?.stop(); });

const reportUp = (hostId: string) => sql(app, `INSERT INTO "BootEvent" (id, "hostId", source, type, at, detail) VALUES ($1, $2, 'agent', 'up', now(), '{}')`, [randomUUID(), hostId]);

async function readyImage(roleId: string, version: string, kernel: Uint8Array = randomBytes(4096)): Promise<string> {
  const image = await api.post('/images', { roleId, version });
  for (const kind of ['kernel', 'initrd']) {
    const body = kind === 'kernel' ? kernel : randomBytes(4096);
    const res = await fetch(`${app.url}/api/v1/images/${image.body.id}/artifacts/${kind}`, { method: 'PUT', headers: { cookie, origin: app.url }, body: new Uint8Array(body) });
    assert.equal(res.status, 200);
  }
  return image.body.id;
}

test('stage → gate (by hand) → verified → promote + rollout → rollback, all through the API', async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root', rolloutBatchSize: 1 });
  const v1 = await readyImage(role.id, 'v1');
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: v1, forceActivate: true })).status, 200);
  const v2 = await readyImage(role.id, 'v2');
  const spare = await createHost(api, { roleId: role.id, mac: uniqueMac(), spare: true });
  const hosts = [await createHost(api, { roleId: role.id, mac: uniqueMac() }), await createHost(api, { roleId: role.id, mac: uniqueMac() })];

  const staged = await api.post(`/images/${v2}/stage`, { timeoutSeconds: 60 });
  assert.deepEqual({ code: staged.status, host: staged.body.hostId, state: staged.body.state }, { code: 201, host: spare.id, state: 'waiting_manual' });
  assert.match(staged.body.reason, /reboot it by hand/);
  await new Promise((r) => setTimeout(r, 50));
  await reportUp(spare.id);
  const gate = await until('the gate', async () => { const s = (await api.get(`/stages/${staged.body.id}`)).body; return s.state === 'verified' && s; });
  assert.ok(gate.events.some((e: any) => e.type === 'up'), 'the stage shows the spare\'s events');

  const promoted = await api.post(`/images/${v2}/promote`, { rollout: { batchSize: 1, maxConcurrentBoots: 1, pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 60 } });
  assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
  const rolloutId = promoted.body.rollout.id;
  for (const _ of hosts) {
    const waiting = await until('a host asked to reboot', async () => (await api.get(`/rollouts/${rolloutId}`)).body.hosts.find((h: any) => h.state === 'waiting_manual'));
    await new Promise((r) => setTimeout(r, 50));
    await reportUp(waiting.hostId);
    await until('that host up', async () => (await api.get(`/rollouts/${rolloutId}`)).body.hosts.find((h: any) => h.hostId === waiting.hostId && h.state === 'up'));
  }
  await until('the rollout completed', async () => (await api.get(`/rollouts/${rolloutId}`)).body.state === 'completed');

  const back = await api.post(`/roles/${role.id}/rollback`);
  assert.deepEqual({ code: back.status, active: back.body.role.activeImageId, previous: back.body.role.previousImageId, kind: back.body.rollout.kind }, { code: 200, active: v1, previous: v2, kind: 'rollback' });
  const aborted = await api.post(`/rollouts/${back.body.rollout.id}/abort`);
  assert.equal(aborted.body.state, 'aborted');
  const audit = (await api.get(`/audit?entity=role&entityId=${role.id}`)).body.items.map((r: any) => r.action);
  assert.ok(audit.includes('promote') && audit.includes('rollback'), audit.join(','));
});

// Debian's signed network GRUB stands in for a Debian kernel: the same signer (Debian Secure
// Boot Signer) under the CA in shim's vendor certificate; iPXE's EFI binary is unsigned.
const debianSignedEfi = '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed';
const secureBootFiles = [debianSignedEfi, '/usr/lib/ipxe/ipxe.efi', '/usr/lib/shim/shimx64.efi.signed'];
const secureBootSkip = secureBootFiles.find((f) => !fs.existsSync(f));
if (secureBootSkip) console.log(`# skipping the Secure Boot staging test: ${secureBootSkip} is missing (grub-efi-amd64-signed, ipxe, shim-signed)`);

test('a Secure Boot role refuses to stage an image whose kernel Secure Boot would refuse; a Debian-signed one stages', { skip: secureBootSkip ? `${secureBootSkip} is missing` : false }, async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root', uefiBootChain: 'secure_boot' });
  const spare = await createHost(api, { roleId: role.id, mac: uniqueMac(), spare: true });
  const unsigned = await readyImage(role.id, 'unsigned', fs.readFileSync('/usr/lib/ipxe/ipxe.efi'));
  const garbage = await readyImage(role.id, 'not-efi');
  const signed = await readyImage(role.id, 'debian-signed', fs.readFileSync(debianSignedEfi));

  for (const [image, why] of [[unsigned, /not signed/], [garbage, /not an EFI image/]] as const) {
    const refused = await api.post(`/images/${image}/stage`, { hostId: spare.id, timeoutSeconds: 60 });
    assert.deepEqual({ status: refused.status, field: refused.body.field }, { status: 409, field: 'kernel' }, JSON.stringify(refused.body));
    assert.match(refused.body.error, why);
    assert.match(refused.body.error, /Secure Boot/);
    assert.equal((await api.get(`/images/${image}`)).body.status, 'ready', 'a refused stage changes nothing');
  }

  const staged = await api.post(`/images/${signed}/stage`, { hostId: spare.id, timeoutSeconds: 60 });
  assert.equal(staged.status, 201, JSON.stringify(staged.body));
  assert.equal((await api.post(`/stages/${staged.body.id}/cancel`)).status, 200);

  // The same unsigned kernel stages once the role boots UEFI hosts through iPXE.
  assert.equal((await api.patch(`/roles/${role.id}`, { uefiBootChain: 'ipxe' })).status, 200);
  const ipxe = await api.post(`/images/${unsigned}/stage`, { hostId: spare.id, timeoutSeconds: 60 });
  assert.equal(ipxe.status, 201, JSON.stringify(ipxe.body));
  assert.equal((await api.post(`/stages/${ipxe.body.id}/cancel`)).status, 200);
});
