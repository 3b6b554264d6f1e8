// The lifecycle through the web process's API and its own worker (started by
// instrumentation.ts): upload → stage on a spare without a BMC (reboot by hand) → the spare's
// "up" as bootd writes it → verified → promote → rollout → rollback.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
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

async function readyImage(roleId: string, version: string): Promise<string> {
  const image = await api.post('/images', { roleId, version });
  for (const kind of ['kernel', 'initrd']) {
    const res = await fetch(`${app.url}/api/v1/images/${image.body.id}/artifacts/${kind}`, { method: 'PUT', headers: { cookie }, body: new Uint8Array(randomBytes(4096)) });
    assert.equal(res.status, 200);
  }
  return image.body.id;
}

test('stage → gate (by hand) → verified → promote + rollout → rollback, all through the API', async () => {
  const role = await createRole(api, { rootMode: 'nfs', nfsExport: '10.0.0.1:/srv/root', rolloutBatchSize: 1 });
  const v1 = await readyImage(role.id, 'v1');
  assert.equal((await api.patch(`/roles/${role.id}`, { activeImageId: v1 })).status, 200);
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
