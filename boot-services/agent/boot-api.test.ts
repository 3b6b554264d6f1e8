import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBootView, host, image, role } from '../../lib/boot/testing/fake-boot-view.ts';
import type { BootdContext, LogServer } from '../bootd-context.ts';
import { MemoryEventSink } from '../events/event-sink.ts';
import { RefusalSummary } from '../events/refusal-summary.ts';
import { Metrics } from '../metrics.ts';
import { bootApiRoutes, healthFailureReason, identityAsEnv, identityFor } from './boot-api.ts';
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
  // Registered before its hardware arrived: no MAC yet.
  view.hosts.push(host({ id: 'h-3', hostname: 'db03', mac: null, ip: '10.66.0.33', roleId: 'r-web' }));
  return view;
}

class RecordingStates implements OneShotOverrideSink {
  readonly cleared: string[] = [];
  clearAfterUp(hostId: string) {
    this.cleared.push(hostId);
  }
}

interface ApiOptions {
  /** `${mac}@${ip}` pairs the Lease table holds. */
  leased?: Set<string>;
  /** hostId → the MAC it is booting or up as (absent: down). */
  runningAs?: Map<string, string>;
  view?: FakeBootView;
  /** bootd's syslog receiver (null: off or not bound). */
  logServer?: LogServer | null;
}

async function withApi(fn: (url: string, events: MemoryEventSink, states: RecordingStates, metrics: Metrics) => Promise<void>, leasedOrOptions: Set<string> | ApiOptions = {}) {
  const o: ApiOptions = leasedOrOptions instanceof Set ? { leased: leasedOrOptions } : leasedOrOptions;
  const leased = o.leased ?? new Set<string>();
  const events = new MemoryEventSink();
  const states = new RecordingStates();
  const log = { info() {}, warn() {}, error() {} };
  const metrics = new Metrics();
  const ctx = {
    config: { httpBaseUrl: base }, view: o.view ?? fleet(), events, metrics, log, logServer: () => o.logServer ?? null,
  } as unknown as BootdContext;
  const routes = bootApiRoutes({
    ctx, oneShot: states, refusals: new RefusalSummary({ events, metrics, log, sweepMs: 0 }),
    checks: { leaseHeld: async (mac, ip) => leased.has(`${mac}@${ip}`), hostRunningAs: async (hostId) => o.runningAs?.get(hostId) ?? null },
    discovery: { recordAgentDiscovery: () => Promise.reject(new Error('no database in this test')) },
  });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = routes.find((r) => r.path.test(path) && (typeof r.method === 'string' ? [r.method] : r.method).includes(req.method ?? ''));
    if (!route) return void res.writeHead(404).end();
    Promise.resolve(route.handle(req, res, route.path.exec(path)!)).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, states, metrics);
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
  await withApi(async (url, events, _states, metrics) => {
    const badPhase = await postJson(`${url}/boot/v1/progress`, { mac: '52:54:00:00:00:01', phase: 'rm -rf' });
    assert.equal(badPhase.status, 400);
    assert.equal(((await badPhase.json()) as { field: string }).field, 'phase');
    assert.equal((await postJson(`${url}/boot/v1/progress`, '{not json')).status, 400);
    assert.equal((await postJson(`${url}/boot/v1/progress`, 'phase=up', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await postJson(`${url}/boot/v1/discovery`, { mac: '52:54:00:00:00:01', facts: { cpus: 1, memoryKib: 1, disks: [], nics: [] } })).status, 409, 'a known host is not discovered');
    const huge = await postJson(`${url}/boot/v1/discovery`, { mac: '52:54:00:00:00:01', pad: 'x'.repeat(100_000) });
    assert.equal(huge.status, 413);
    assert.equal((await fetch(`${url}/boot/v1/identity?mac=nope`)).status, 400);
    // One source, one minute: its first refusal is an event, the others wait for the minute's summary.
    assert.equal(events.events.filter((e) => e.type === 'rejected').length, 1);
    assert.equal(metrics.get('fleetboot_refused_requests_total', { service: 'agent', source: '127.0.0.1' }), 6);
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

// Identity by name (boot-api.ts header): an unregistered MAC says fleetboot.host=<name>.
const newNic = '52:54:00:00:00:77';

test('an unregistered MAC on its pool lease is known by fleetboot.host=; its reports land on that host', async () => {
  await withApi(async (url, events, states) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=DB03&format=env`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^status=known$/m);
    assert.match(text, /^hostname=db03$/m);
    assert.match(text, /^by=name$/m);
    const named = events.events.at(-1)!;
    assert.deepEqual([named.type, named.hostId, named.mac], ['identified-by-name', 'h-3', newNic], 'the MAC bootd saw is on the host\'s timeline');
    assert.equal((await postJson(`${url}/boot/v1/progress`, { mac: newNic, host: 'db03', phase: 'root-mounted' })).status, 200);
    assert.deepEqual([events.events.at(-1)!.type, events.events.at(-1)!.hostId], ['root-mounted', 'h-3']);
    const up = await postJson(`${url}/boot/v1/up`, { mac: newNic, host: 'db03', health: { ok: true } });
    assert.equal(up.status, 200);
    assert.deepEqual([events.events.at(-1)!.type, events.events.at(-1)!.hostId], ['up', 'h-3']);
    assert.deepEqual(states.cleared, ['h-3']);
  }, { leased: new Set([`${newNic}@127.0.0.1`]) });
});

test('a name no host has is 404', async () => {
  await withApi(async (url, events) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=nosuch01`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /no host has that name/);
    assert.deepEqual(events.events.at(-1)?.detail, { route: 'identity', clientIp: '127.0.0.1', status: 404, reason: 'fleetboot.host=nosuch01: no host has that name', mac: newNic, host: 'nosuch01', count: 1 });
  }, { leased: new Set([`${newNic}@127.0.0.1`]) });
});

test('a name claimed from an address neither leased to the MAC nor reserved for the host is 403', async () => {
  await withApi(async (url, events) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=db03`);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /127\.0\.0\.1 is neither leased to 52:54:00:00:00:77 nor the address of db03/);
    assert.equal(events.events.at(-1)?.type, 'rejected');
    assert.equal(events.events.filter((e) => e.hostId).length, 0, 'nothing on any host\'s timeline');
    assert.equal((await postJson(`${url}/boot/v1/up`, { mac: newNic, host: 'db03' })).status, 403, 'nor can it say the host is up');
  });
  // From the host's own reserved address, no lease is needed (a machine set up with it statically).
  const view = fleet();
  view.hosts[2] = { ...view.hosts[2]!, ip: '127.0.0.1' };
  view.hosts[0] = { ...view.hosts[0]!, ip: '10.66.0.11' };
  await withApi(async (url) => {
    assert.equal((await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=db03`)).status, 200);
  }, { view });
});

test('a MAC registered to one host naming another is 409', async () => {
  await withApi(async (url, events) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:01&host=web02`);
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: string }).error, /fleetboot\.host=web02 but 52:54:00:00:00:01 belongs to web01/);
    assert.equal(events.events.at(-1)?.type, 'rejected');
    assert.equal((await postJson(`${url}/boot/v1/progress`, { mac: '52:54:00:00:00:01', host: 'web02', phase: 'network-up' })).status, 409);
  });
});

test('a name whose host is up as another MAC is 409; once that machine is down a new NIC may take it', async () => {
  const leased = new Set([`${newNic}@127.0.0.1`]);
  await withApi(async (url) => {
    const res = await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=web02`);
    assert.equal(res.status, 409);
    assert.match(((await res.json()) as { error: string }).error, /web02 is booting or up as 52:54:00:00:00:02/);
  }, { leased, runningAs: new Map([['h-2', '52:54:00:00:00:02']]) });
  // The claimer's own boot makes the host "booting as" its MAC: its later reports pass.
  await withApi(async (url) => {
    assert.equal((await postJson(`${url}/boot/v1/progress`, { mac: newNic, host: 'web02', phase: 'switch-root' })).status, 200);
  }, { leased, runningAs: new Map([['h-2', newNic]]) });
  // A replaced NIC: the host's registered machine is down.
  await withApi(async (url, events) => {
    assert.equal((await fetch(`${url}/boot/v1/identity?mac=${newNic}&host=web02`)).status, 200);
    assert.equal(events.events.at(-1)?.detail?.registeredMac, '52:54:00:00:00:02', 'the event names the MAC it stands in for');
  }, { leased });
});

test('a failed health check says which check, its command, how it ended and its output', async () => {
  await withApi(async (url, events) => {
    const health = { ok: false, check: 'role', command: 'test -e /nonexistent', exitStatus: 1, output: '' };
    assert.equal((await postJson(`${url}/boot/v1/up`, { mac: '52:54:00:00:00:01', health })).status, 200);
    const failed = events.events.at(-1)!;
    assert.equal(failed.type, 'failed');
    assert.equal(failed.detail?.reason, 'the role\'s health check `test -e /nonexistent` exited 1');
    assert.deepEqual(failed.detail?.health, health);
  });
  assert.equal(healthFailureReason({ ok: false, check: 'image', command: '/etc/fleetboot/health', exitStatus: 143, output: 'wget: timed out\n' }),
    'the image\'s health check `/etc/fleetboot/health` timed out (exit 143): wget: timed out');
  assert.equal(healthFailureReason({ ok: false }), 'the health check did not pass');
});

test("the identity names bootd's syslog (address:port) while it listens, and nothing when it doesn't", async () => {
  const envOf = async (logServer: LogServer | null) => {
    let text = '';
    await withApi(async (url) => {
      const res = await fetch(`${url}/boot/v1/identity?mac=52:54:00:00:00:01&format=env`);
      assert.equal(res.status, 200);
      text = await res.text();
    }, { logServer });
    return text;
  };
  assert.match(await envOf({ address: '10.66.0.1', port: 5514 }), /^syslogServer=10\.66\.0\.1:5514$/m);
  assert.doesNotMatch(await envOf(null), /syslogServer/);
});
