// A boot server's artifacts, pulled (issue 14 item 1), with the real web process as the origin
// and real bootd processes, each with its own state directory: pulled by sha256 with the boot
// server's credential, verified, kept in <stateDir>/artifacts and served from there only (the
// console's file may go away); a pull cut mid-file resumes with Range; an artifact asked for
// before it is cached is streamed through while pulled; bytes that don't hash to their sha256
// are never served whole; past its size limit the cache evicts what no image needs, never the
// active image's artifacts.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startLoopbackBootd, type LoopbackBootd } from '../testing/bootd-process.ts';
import { until } from '../../server/testing/until.ts';
import { apiClient, freePort, startTestWebApp, type TestWebApp } from '../../server/testing/web-app.ts';
import { createHost, createNetwork, createRole, sql, unique, uniqueMac, type Api } from '../../server/api/integration/fixtures.ts';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let app: TestWebApp;
let admin: Api;
let cookie: string;
const running: LoopbackBootd[] = [];
const proxies: net.Server[] = [];

before(async () => {
  app = await startTestWebApp('bootd_artifact_pull');
  cookie = await app.signIn();
  admin = apiClient(app.url, { cookie });
});
after(async () => {
  for (const b of running) await b.stop();
  for (const p of proxies) p.close();
  await app?.stop();
});

async function put(imageId: string, kind: string, body: Buffer): Promise<void> {
  const res = await fetch(`${app.url}/api/v1/images/${imageId}/artifacts/${kind}`, { method: 'PUT', headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', 'x-checksum-sha256': sha(body) }, body: new Uint8Array(body) });
  assert.equal(res.status, 200, await res.text());
}

interface Image { id: string; kernel: Buffer; initrd: Buffer }

/** An image of `role` with random kernel and initrd, made ready (and active when asked). */
async function readyImage(roleId: string, opts: { kernelBytes?: number; active?: boolean } = {}): Promise<Image> {
  const made = await admin.post('/images', { roleId, version: unique('v') });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const image = { id: made.body.id as string, kernel: randomBytes(opts.kernelBytes ?? 3 * MiB), initrd: randomBytes(256 * 1024) };
  await put(image.id, 'kernel', image.kernel);
  await put(image.id, 'initrd', image.initrd);
  assert.equal((await admin.patch(`/images/${image.id}`, { status: 'ready' })).status, 200);
  if (opts.active) assert.equal((await admin.patch(`/roles/${roleId}`, { activeImageId: image.id, forceActivate: true })).status, 200);
  return image;
}

/** A boot server with one network, a role with an active image, and a host of that role on it. */
async function site(opts: { kernelBytes?: number } = {}) {
  const made = await admin.post('/boot-servers', { name: unique('bootd'), site: 'lab' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const network = await createNetwork(admin, { bootServerId: made.body.bootServer.id });
  const role = await createRole(admin, { bootLoader: 'ipxe' });
  const image = await readyImage(role.id, { ...opts, active: true });
  await createHost(admin, { networkId: network.id, ip: network.at(10), mac: uniqueMac(), roleId: role.id });
  return { id: made.body.bootServer.id as string, name: made.body.bootServer.name as string, credential: made.body.credential as string, role, image };
}

async function bootd(s: { name: string; credential: string }, consoleUrl: string, extra: Record<string, string> = {}) {
  const b = await startLoopbackBootd(app.db.url, { FLEETBOOT_BOOTD_NAME: s.name, FLEETBOOT_BOOTD_CREDENTIAL: s.credential, FLEETBOOT_CONSOLE_URL: consoleUrl, FLEETBOOT_BOOTD_HEARTBEAT_MS: '300', ...extra });
  running.push(b);
  await b.waitForOutput(/bootd ready/);
  return b;
}

async function metric(b: LoopbackBootd, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${b.adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

const synced = (b: LoopbackBootd, count: number) => until(`${count} artifacts synced`, async () => (await metric(b, 'fleetboot_artifacts_synced')) === count && (await metric(b, 'fleetboot_artifacts_needed')) === count, 60_000);
const cachedFile = (b: LoopbackBootd, image: Buffer) => path.join(b.stateDir, 'artifacts', sha(image));
const consolePath = async (b: Buffer) => (await sql(app, 'SELECT path FROM "Artifact" WHERE sha256 = $1', [sha(b)])).rows[0].path as string;
const kernelUrl = (b: LoopbackBootd, image: Image) => `http://127.0.0.1:${b.httpPort}/boot/v1/images/${image.id}/kernel`;

/**
 * A TCP proxy in front of the web process. `onResponseBytes` sees each connection's response
 * bytes as they pass and may cut the connection or hold it (return a promise).
 */
async function proxy(onResponseBytes: (conn: { requestHead: string; sent: number }, chunk: Buffer) => 'pass' | 'cut' | Promise<void>): Promise<{ url: string; requests: string[] }> {
  const upstreamPort = Number(new URL(app.url).port);
  const requests: string[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    const conn = { requestHead: '', sent: 0 };
    client.on('data', (d: Buffer) => {
      conn.requestHead = d.toString('latin1').split('\r\n\r\n')[0]!;
      conn.sent = 0;
      requests.push(conn.requestHead);
      upstream.write(d);
    });
    upstream.on('data', async (d: Buffer) => {
      const verdict = onResponseBytes(conn, d);
      if (verdict === 'cut') {
        client.destroy();
        upstream.destroy();
        return;
      }
      if (verdict !== 'pass') {
        upstream.pause();
        await verdict;
        upstream.resume();
      }
      conn.sent += d.length;
      client.write(d);
    });
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  proxies.push(server);
  return { url: `http://127.0.0.1:${port}`, requests };
}

test('the console hands artifacts only to a boot server\'s credential, by sha256, with one Range', async () => {
  const s = await site({ kernelBytes: 64 * 1024 });
  const url = `${app.url}/api/v1/artifacts/${sha(s.image.kernel)}`;
  assert.equal((await fetch(url)).status, 401);
  assert.equal((await fetch(url, { headers: { cookie } })).status, 401, 'a user\'s session is not a boot server');
  const auth = { authorization: `Bearer ${s.credential}` };
  assert.equal((await fetch(`${app.url}/api/v1/artifacts/${'0'.repeat(64)}`, { headers: auth })).status, 404);
  assert.equal((await fetch(`${app.url}/api/v1/artifacts/not-a-hash`, { headers: auth })).status, 404);
  const whole = await fetch(url, { headers: auth });
  assert.deepEqual([whole.status, whole.headers.get('etag'), sha(Buffer.from(await whole.arrayBuffer()))], [200, `"${sha(s.image.kernel)}"`, sha(s.image.kernel)]);
  const rest = await fetch(url, { headers: { ...auth, range: 'bytes=1000-', 'if-range': `"${sha(s.image.kernel)}"` } });
  assert.deepEqual([rest.status, rest.headers.get('content-range')], [206, `bytes 1000-${s.image.kernel.length - 1}/${s.image.kernel.length}`]);
  assert.ok(Buffer.from(await rest.arrayBuffer()).equals(s.image.kernel.subarray(1000)));
  assert.equal((await admin.delete(`/boot-servers/${s.id}`)).status, 204);
  assert.equal((await fetch(url, { headers: auth })).status, 401, 'a revoked credential is refused at once');
});

test('a boot server pulls its hosts\' artifacts, verifies them and serves them from its own cache only', async () => {
  const s = await site();
  const b = await bootd(s, app.url);
  await synced(b, 2);
  for (const file of [s.image.kernel, s.image.initrd]) assert.equal(sha(fs.readFileSync(cachedFile(b, file))), sha(file), 'cached under its sha256');
  const stored = await consolePath(s.image.kernel);
  const away = `${stored}.away`;
  fs.renameSync(stored, away);
  try {
    const res = await fetch(kernelUrl(b, s.image));
    assert.equal(res.status, 200);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(s.image.kernel), 'served with the console\'s file gone');
  } finally {
    fs.renameSync(away, stored);
  }
  assert.equal(await metric(b, 'fleetboot_artifact_pulls_total', 'result="done"'), 2);
  assert.equal(await metric(b, 'fleetboot_artifact_pull_bytes_total'), s.image.kernel.length + s.image.initrd.length);
  assert.ok((await metric(b, 'fleetboot_artifact_cache_requests_total', 'result="hit"')) >= 1);
  assert.equal(await metric(b, 'fleetboot_artifact_cache_bytes'), s.image.kernel.length + s.image.initrd.length);
  const health = await until('the heartbeat with the cache', async () => { const h = (await admin.get(`/boot-servers/${s.id}`)).body; return h.artifactsSynced === 2 ? h : null; }, 30_000);
  assert.deepEqual([health.artifactsNeeded, Number(health.cacheBytes), health.health.state], [2, s.image.kernel.length + s.image.initrd.length, 'healthy']);
});

test('a pull cut mid-file resumes where it stopped (Range), and the file is whole', async () => {
  const s = await site({ kernelBytes: 4 * MiB });
  let cuts = 0;
  const p = await proxy((conn) => {
    if (cuts === 0 && conn.requestHead.includes(sha(s.image.kernel)) && conn.sent > MiB) {
      cuts += 1;
      return 'cut';
    }
    return 'pass';
  });
  const b = await bootd(s, p.url);
  await synced(b, 2);
  assert.equal(cuts, 1);
  const kernelRequests = p.requests.filter((r) => r.includes(sha(s.image.kernel)));
  assert.equal(kernelRequests.length, 2, kernelRequests.join('\n---\n'));
  const range = /^range: bytes=(\d+)-$/im.exec(kernelRequests[1]!);
  assert.ok(range && Number(range[1]) > 0, `the second request resumes: ${kernelRequests[1]}`);
  assert.equal(sha(fs.readFileSync(cachedFile(b, s.image.kernel))), sha(s.image.kernel));
  const pulled = await metric(b, 'fleetboot_artifact_pull_bytes_total');
  assert.ok(pulled < s.image.kernel.length + s.image.initrd.length + 2 * MiB, `resumed, not pulled again from the start: ${pulled} bytes`);
  assert.match(b.output(), /artifact pulled into the cache.*"resumed":true/);
});

test('an artifact asked for before it is cached is streamed through while pulled, and the client gets it whole', async () => {
  const s = await site({ kernelBytes: 4 * MiB });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const p = await proxy((conn) => (conn.requestHead.includes(sha(s.image.kernel)) && conn.sent > 2 * MiB ? gate : 'pass'));
  const b = await bootd(s, p.url);
  const res = await fetch(kernelUrl(b, s.image));
  assert.deepEqual([res.status, res.headers.get('content-length')], [200, String(s.image.kernel.length)]);
  const reader = res.body!.getReader();
  const chunks: Buffer[] = [];
  let received = 0;
  while (received < MiB) {
    const { value, done } = await reader.read();
    assert.equal(done, false);
    chunks.push(Buffer.from(value));
    received += value.length;
  }
  assert.equal(fs.existsSync(cachedFile(b, s.image.kernel)), false, 'the client has its first MiB while the pull is held mid-file');
  release();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
  }
  assert.equal(sha(Buffer.concat(chunks)), sha(s.image.kernel));
  await synced(b, 2);
  await until('the stream-through counted', async () => (await metric(b, 'fleetboot_http_artifact_stream_through_total')) >= 1, 10_000);
  assert.equal(await metric(b, 'fleetboot_artifact_cache_requests_total', 'result="miss"'), 1);
});

test('bytes that do not hash to their sha256 are never kept, and never sent whole', async () => {
  const s = await site({ kernelBytes: 2 * MiB });
  const stored = await consolePath(s.image.kernel);
  const original = fs.readFileSync(stored);
  const flipped = Buffer.from(original);
  flipped[12345] = flipped[12345]! ^ 0xff;
  fs.writeFileSync(stored, flipped);
  try {
    const b = await bootd(s, app.url);
    await until('the mismatch counted', async () => (await metric(b, 'fleetboot_artifact_pulls_total', 'result="sha256-mismatch"')) >= 1, 60_000);
    assert.match(b.output(), /artifact pull failed.*"failure":"sha256-mismatch"/);
    const judged = await until('the console saying why', async () => {
      const h = (await admin.get(`/boot-servers/${s.id}`)).body.health as { state: string; reasons: string[] };
      return h.reasons.some((r) => r.includes('sha256-mismatch')) ? h : null;
    }, 30_000);
    assert.equal(judged.state, 'lagging');
    assert.match(judged.reasons.join('\n'), new RegExp(`1 of 2 artifacts synced; last pull of ${sha(s.image.kernel).slice(0, 12)}… failed: sha256-mismatch`));
    assert.equal(fs.existsSync(cachedFile(b, s.image.kernel)), false);
    assert.deepEqual(fs.readdirSync(path.join(b.stateDir, 'artifacts')).filter((f) => f.startsWith(sha(s.image.kernel))), [], 'no .part left either');
    const res = await fetch(kernelUrl(b, s.image));
    assert.equal(res.status, 200);
    const body = await res.arrayBuffer().then((a) => Buffer.from(a), (err: Error) => err);
    assert.ok(body instanceof Error, `the response is cut short of its Content-Length, not a whole wrong file (got ${body instanceof Error ? '' : body.length} bytes)`);
  } finally {
    fs.writeFileSync(stored, original);
  }
});

test('past its size limit the cache evicts what no image needs, least recently used first, never the active image\'s', async () => {
  const s = await site({ kernelBytes: 1 * MiB });
  const active = s.image.kernel.length + s.image.initrd.length;
  const older = await readyImage(s.role.id, { kernelBytes: 1 * MiB });
  const imageBytes = older.kernel.length + older.initrd.length;
  // Room for the active image and one ready image, not two.
  const b = await bootd(s, app.url, { FLEETBOOT_ARTIFACT_CACHE_BYTES: String(active + imageBytes + 1024) });
  await synced(b, 4);
  assert.equal((await admin.patch(`/images/${older.id}`, { status: 'retired' })).status, 200);
  const newer = await readyImage(s.role.id, { kernelBytes: 1 * MiB });
  await until('the newer image pulled', () => fs.existsSync(cachedFile(b, newer.kernel)) && fs.existsSync(cachedFile(b, newer.initrd)), 60_000);
  await until('the retired image evicted', () => !fs.existsSync(cachedFile(b, older.kernel)), 30_000);
  assert.equal(fs.existsSync(cachedFile(b, older.initrd)), false);
  for (const file of [s.image.kernel, s.image.initrd]) assert.equal(fs.existsSync(cachedFile(b, file)), true, 'the active image stays');
  assert.equal(await metric(b, 'fleetboot_artifact_evictions_total'), 2);
  const res = await fetch(kernelUrl(b, s.image));
  assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(s.image.kernel));
});
