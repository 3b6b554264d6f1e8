import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { FakeBootView, host, image, role } from '../boot-config/testing/fake-boot-view.ts';
import type { BootdContext } from '../bootd-context.ts';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import { bootApiRoutes, identityAsEnv, identityFor } from './boot-api.ts';
import type { OneShotOverrideSink } from './one-shot-override.ts';

const base = 'http://10.66.0.1:8080';
const artifact = (c: string) => ({ sha256: c.repeat(64).slice(0, 64), sizeBytes: 1234, path: `/x/${c}` });

function fleet(): FakeBootView {
  const view = new FakeBootView();
  view.roles.push(role({ id: 'r-web', name: 'web', activeImageId: 'img-1' }));
  view.images.push(image({ id: 'img-1', roleId: 'r-web', version: '1', kernel: artifact('k'), initrd: artifact('i'), rootfs: artifact('r') }));
  // The test's client is 127.0.0.1: that is web01's reserved address here.
  view.hosts.push(host({ id: 'h-1', hostname: 'web01', mac: '52:54:00:00:00:01', ip: '127.0.0.1', roleId: 'r-web' }));
  view.hosts.push(host({ id: 'h-2', hostname: 'web02', mac: '52:54:00:00:00:02', ip: '10.66.0.22', roleId: 'r-web' }));
  return view;
}

class RecordingStates implements OneShotOverrideSink {
  readonly cleared: string[] = [];
  clearAfterUp(hostId: string) {
    this.cleared.push(hostId);
  }
}

async function withApi(fn: (url: string, events: MemoryEventSink, states: RecordingStates) => Promise<void>, leased: Set<string> = new Set()) {
  const events = new MemoryEventSink();
  const states = new RecordingStates();
  const log = { info() {}, warn() {}, error() {} };
  const ctx = {
    config: { httpBaseUrl: base }, view: fleet(), events, metrics: new Metrics(), log,
    pool: { query: () => Promise.reject(new Error('no database in this test')) } as unknown as pg.Pool,
  } as unknown as BootdContext;
  const routes = bootApiRoutes({ ctx, oneShot: states, leaseHeld: async (mac, ip) => leased.has(`${mac}@${ip}`) });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = routes.find((r) => r.path.test(path) && (typeof r.method === 'string' ? [r.method] : r.method).includes(req.method ?? ''));
    if (!route) return void res.writeHead(404).end();
    Promise.resolve(route.handle(req, res, route.path.exec(path)!)).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, states);
  } finally {
    server.close();
  }
}

const postJson = (url: string, body: unknown, type = 'application/json') => fetch(url, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

test('identity tells a known host its role, root mode and rootfs (key=value for the agent)', async () => {
  await withApi(async (url) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:01&format=env`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^status=known$/m);
    assert.match(text, /^hostname=web01$/m);
    assert.match(text, /^rootMode=ram$/m);
    assert.match(text, /^rootfsUrl=http:\/\/10\.66\.0\.1:8080\/boot\/v1\/images\/img-1\/rootfs$/m);
    assert.match(text, /^rootfsSha256=r{64}$/m);
  });
});

test('a request for another host\'s MAC from this address is refused with 403 and an event', async () => {
  await withApi(async (url, events) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:02`);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /not the address of web02/);
    assert.equal(events.events.at(-1)?.type, 'rejected');
    const up = await postJson(`${url}/boot/v1/up`, { mac: '52:54:00:00:00:02' });
    assert.equal(up.status, 403, 'no host can say another is up');
  });
});

test('an unknown MAC speaking from its leased address is told to wait for a claim', async () => {
  await withApi(async (url) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:99`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'unknown', action: 'wait' });
  }, new Set(['52:54:00:00:00:99@127.0.0.1']));
});

test('progress is recorded with bytes; up clears the one-shot override, a failed health check is a failure', async () => {
  await withApi(async (url, events, states) => {
    const res = await postJson(`${url}/boot/v1/progress`, { mac: '52:54:00:00:00:01', phase: 'rootfs-download', bytesDone: 10, bytesTotal: 1234 });
    assert.equal(res.status, 200);
    const e = events.events.at(-1)!;
    assert.deepEqual([e.source, e.type, e.hostId, e.bytesDone, e.bytesTotal], ['agent', 'rootfs-download', 'h-1', 10, 1234]);
    assert.equal((await postJson(`${url}/boot/v1/up`, { mac: '52:54:00:00:00:01', health: { ok: false } })).status, 200);
    assert.equal(events.events.at(-1)?.type, 'failed');
    assert.deepEqual(states.cleared, [], 'an override stays until a boot really succeeds');
    assert.equal((await postJson(`${url}/boot/v1/up`, { mac: '52:54:00:00:00:01', health: { ok: true } })).status, 200);
    assert.equal(events.events.at(-1)?.type, 'up');
    assert.deepEqual(states.cleared, ['h-1']);
  });
});

test('bad input gets a 4xx naming the problem, an event, and the server keeps answering', async () => {
  await withApi(async (url, events) => {
    const badPhase = await postJson(`${url}/boot/v1/progress`, { mac: '52:54:00:00:00:01', phase: 'rm -rf' });
    assert.equal(badPhase.status, 400);
    assert.equal(((await badPhase.json()) as { field: string }).field, 'phase');
    assert.equal((await postJson(`${url}/boot/v1/progress`, '{not json')).status, 400);
    assert.equal((await postJson(`${url}/boot/v1/progress`, 'phase=up', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await postJson(`${url}/boot/v1/discovery`, { mac: '52:54:00:00:00:01', facts: { cpus: 1, memoryKib: 1, disks: [], nics: [] } })).status, 409, 'a known host is not discovered');
    const huge = await postJson(`${url}/boot/v1/discovery`, { mac: '52:54:00:00:00:01', pad: 'x'.repeat(100_000) });
    assert.equal(huge.status, 413);
    assert.equal((await fetch(`${url}/boot/v1/identity?mac=nope`)).status, 400);
    assert.ok(events.events.filter((e) => e.type === 'rejected').length >= 6);
    assert.equal((await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:01`)).status, 200);
  });
});

test('identity of a host that cannot boot says why; env lines never carry a newline', () => {
  const view = fleet();
  view.roles[0] = { ...view.roles[0]!, activeImageId: null };
  const id = identityFor(view, '52:54:00:00:00:01', base);
  assert.equal(id.action, 'fail');
  assert.match(id.reason ?? '', /no active image/);
  assert.equal(identityAsEnv({ status: 'known', action: 'fail', reason: 'a\nrootMode=evil' }), 'status=known\naction=fail\nreason=a rootMode=evil\n');
});

test("a role's health check command goes to the agent; a URL check stays with the console", () => {
  const view = fleet();
  view.roles[0] = { ...view.roles[0]!, healthCheck: 'curl -fsS http://127.0.0.1/healthz' };
  assert.equal(identityFor(view, '52:54:00:00:00:01', base).healthCommand, 'curl -fsS http://127.0.0.1/healthz');
  assert.match(identityAsEnv(identityFor(view, '52:54:00:00:00:01', base)), /^healthCommand=curl -fsS http:\/\/127\.0\.0\.1\/healthz$/m);
  view.roles[0] = { ...view.roles[0]!, healthCheck: 'https://web01.example/healthz' };
  assert.equal(identityFor(view, '52:54:00:00:00:01', base).healthCommand, undefined);
  view.roles[0] = { ...view.roles[0]!, healthCheck: null };
  assert.equal(identityFor(view, '52:54:00:00:00:01', base).healthCommand, undefined);
});
