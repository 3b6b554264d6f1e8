// Artifact upload through the real web process: PUT /api/v1/images/{id}/artifacts/{kind}.
// What an operator would notice: the stored file's sha256 and size, the image turning ready,
// nothing visible after a cut or refused upload, and the web process's memory staying flat
// while a 1 GB file streams through it.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import type { Api } from '../../api/integration/fixtures.ts';
import { findWebProcess, newImage as createImageFor, distinctMiBs, measureGiBUpload, sha, storeDir as artifactsDirOf, storeFiles as listStore, waitForNoIncoming as waitForNoIncomingIn } from './upload-fixtures.ts';

let app: TestWebApp;
let api: Api;
let cookie: string;
let web: { pid: number; dataDir: string };

before(async () => {
  app = await startTestWebApp('images_upload');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
  web = findWebProcess(new URL(app.url).port);
});
after(async () => { await app?.stop(); });

const newImage = (rootMode: 'ram' | 'nfs' = 'nfs') => createImageFor(api, rootMode);

async function put(imageId: string, kind: string, body: Buffer, opts: { sha256?: string; query?: string } = {}) {
  const res = await fetch(`${app.url}/api/v1/images/${imageId}/artifacts/${kind}${opts.query ?? ''}`, {
    method: 'PUT',
    headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', ...(opts.sha256 ? { 'x-checksum-sha256': opts.sha256 } : {}) },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}

const storeDir = () => artifactsDirOf(web.dataDir);
const storeFiles = () => listStore(web.dataDir);

test('kernel and initrd uploaded: stored under their sha256, the image becomes ready', async () => {
  const image = await newImage();
  const kernel = randomBytes(300_000);
  const initrd = randomBytes(200_000);
  const k = await put(image.id, 'kernel', kernel, { sha256: sha(kernel) });
  assert.equal(k.status, 200, JSON.stringify(k.body));
  assert.equal(k.body.status, 'uploading');
  const i = await put(image.id, 'initrd', initrd, { query: `?sha256=${sha(initrd)}` });
  assert.deepEqual({ status: i.status, image: i.body.status, kernel: i.body.kernelSha256, initrd: i.body.initrdSha256 }, { status: 200, image: 'ready', kernel: sha(kernel), initrd: sha(initrd) });
  assert.equal(sha(fs.readFileSync(path.join(storeDir(), sha(kernel)))), sha(kernel));
});

test('a ram-mode role needs its rootfs before the image is ready', async () => {
  const image = await newImage('ram');
  await put(image.id, 'kernel', randomBytes(1000));
  const i = await put(image.id, 'initrd', randomBytes(1000));
  assert.equal(i.body.status, 'uploading');
  const r = await put(image.id, 'rootfs', randomBytes(1000));
  assert.equal(r.body.status, 'ready');
});

test('a wrong checksum is refused (400, field sha256) and nothing is stored or recorded', async () => {
  const image = await newImage();
  const body = randomBytes(100_000);
  const filesBefore = storeFiles();
  const res = await put(image.id, 'kernel', body, { sha256: '0'.repeat(64) });
  assert.deepEqual({ status: res.status, field: res.body.field }, { status: 400, field: 'sha256' });
  assert.deepEqual(storeFiles(), filesBefore);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256, null);
});

test('re-uploading an artifact of a ready image → 409 unless ?force=true', async () => {
  const image = await newImage();
  await put(image.id, 'kernel', randomBytes(1000));
  await put(image.id, 'initrd', randomBytes(1000));
  const again = randomBytes(1000);
  const refused = await put(image.id, 'kernel', again);
  assert.deepEqual({ status: refused.status, field: refused.body.field }, { status: 409, field: 'status' });
  const forced = await put(image.id, 'kernel', again, { query: '?force=true' });
  assert.deepEqual({ status: forced.status, kernel: forced.body.kernelSha256, image: forced.body.status }, { status: 200, kernel: sha(again), image: 'ready' });
});

test('the same kernel for two images is stored once', async () => {
  const kernel = randomBytes(50_000);
  const a = await newImage();
  const b = await newImage();
  await put(a.id, 'kernel', kernel);
  await put(b.id, 'kernel', kernel);
  assert.equal(storeFiles().filter((f) => f === sha(kernel)).length, 1);
  assert.equal((await api.get(`/images/${b.id}`)).body.kernel.sha256, sha(kernel));
});

test('a declared size over the limit → 413 before a byte is read', async () => {
  const image = await newImage();
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${app.url}/api/v1/images/${image.id}/artifacts/kernel`, { method: 'PUT', headers: { cookie, origin: app.url, 'content-length': String(17 * 1024 ** 3) } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
      req.destroy();
    });
    req.on('error', reject);
    req.write(randomBytes(1000));
  });
  assert.equal(status, 413);
});

test('two uploads at once (different images, and kernel + initrd of one image) all land', async () => {
  const a = await newImage();
  const b = await newImage();
  const files = Array.from({ length: 4 }, () => randomBytes(8 * 1024 * 1024));
  const results = await Promise.all([
    put(a.id, 'kernel', files[0]!), put(a.id, 'initrd', files[1]!), put(b.id, 'kernel', files[2]!), put(b.id, 'initrd', files[3]!),
  ]);
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200]);
  const [ia, ib] = [(await api.get(`/images/${a.id}`)).body, (await api.get(`/images/${b.id}`)).body];
  assert.deepEqual([ia.status, ia.kernelSha256, ia.initrdSha256, ib.status, ib.kernelSha256, ib.initrdSha256], ['ready', sha(files[0]!), sha(files[1]!), 'ready', sha(files[2]!), sha(files[3]!)]);
});

/** Sends the headers and `sendBytes` of a `declaredBytes` body, then cuts the connection. */
async function cutUpload(imageId: string, declaredBytes: number | 'chunked', sendBytes: number): Promise<void> {
  const { hostname, port } = new URL(app.url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  const lengthHeader = declaredBytes === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${declaredBytes}`;
  socket.write(`PUT /api/v1/images/${imageId}/artifacts/kernel HTTP/1.1\r\nhost: ${hostname}\r\ncookie: ${cookie}\r\nsec-fetch-site: same-origin\r\n${lengthHeader}\r\n\r\n`);
  const chunk = randomBytes(256 * 1024);
  for (let sent = 0; sent < sendBytes; sent += chunk.length) {
    const piece = declaredBytes === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
    if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
}

const waitForNoIncoming = () => waitForNoIncomingIn(web.dataDir);

for (const mode of [64 * 1024 * 1024, 'chunked'] as const) {
  test(`a cut upload (${mode === 'chunked' ? 'chunked' : 'with Content-Length'}) leaves nothing visible: no artifact, no temp file, the image unchanged`, async () => {
    const image = await newImage();
    const before = storeFiles();
    await cutUpload(image.id, mode, 16 * 1024 * 1024);
    assert.deepEqual(await waitForNoIncoming(), []);
    assert.deepEqual(storeFiles(), before);
    const now = (await api.get(`/images/${image.id}`)).body;
    assert.deepEqual([now.status, now.kernelSha256], ['uploading', null]);
  });
}

test('temp files of a process killed mid-upload are removed; a live writer\'s are kept', async () => {
  const { removeStaleIncoming } = await import('../artifact-store.ts');
  const dir = fs.mkdtempSync('/tmp/fb-stale-');
  try {
    fs.mkdirSync(path.join(dir, 'artifacts'));
    const dead = path.join(dir, 'artifacts', '.incoming-4000000-abc');
    const live = path.join(dir, 'artifacts', `.incoming-${process.pid}-def`);
    fs.writeFileSync(dead, 'half');
    fs.writeFileSync(live, 'busy');
    assert.deepEqual(await removeStaleIncoming(dir), ['.incoming-4000000-abc']);
    assert.deepEqual([fs.existsSync(dead), fs.existsSync(live)], [false, true]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('1 GiB streamed from a generator: sha256 matches, the web process RSS stays flat', async () => {
  const image = await newImage();
  const totalBytes = 1024 ** 3;
  const hash = createHash('sha256');
  const { result: res, growthMiB } = await measureGiBUpload(web.pid, '1 GiB upload', () => fetch(`${app.url}/api/v1/images/${image.id}/artifacts/kernel`, {
    method: 'PUT',
    headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', 'content-length': String(totalBytes) },
    body: Readable.toWeb(Readable.from(distinctMiBs(0, totalBytes, hash))),
    duplex: 'half',
  } as RequestInit));
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  const digest = hash.digest('hex');
  assert.deepEqual({ sha256: body.kernelSha256, size: fs.statSync(path.join(storeDir(), digest)).size }, { sha256: digest, size: totalBytes });
  assert.ok(growthMiB < 128, `web RSS grew by ${growthMiB.toFixed(0)} MiB during a 1 GiB upload`);
  fs.rmSync(path.join(storeDir(), digest));
});
