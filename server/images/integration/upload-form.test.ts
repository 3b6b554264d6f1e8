// multipart/form-data artifact upload through the real web process: POST (or PUT)
// /api/v1/images/{id}/artifacts/{kind} as `curl -F kernel=@vmlinuz -F sha256=…` sends it.
// What an operator would notice: the stored file's sha256, refusals naming the field, nothing
// visible after a refused or cut form, and the web process's memory flat through 1 GiB.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import type { Api } from '../../api/integration/fixtures.ts';
import { findWebProcess, newImage, distinctMiBs, measureGiBUpload, sha, storeDir, storeFiles, waitForNoIncoming } from './upload-fixtures.ts';

let app: TestWebApp;
let api: Api;
let cookie: string;
let web: { pid: number; dataDir: string };
let tmp: string;

before(async () => {
  app = await startTestWebApp('images_upload_form');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
  web = findWebProcess(new URL(app.url).port);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-form-'));
});
after(async () => {
  await app?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Debian's curl, as an operator's script would run it; answers status and JSON body. */
// Tests read arbitrary fields of JSON answers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function curl(args: string[]): Promise<{ status: number; body: any }> {
  const { stdout } = await promisify(execFile)('curl', ['-sS', '-H', `cookie: ${cookie}`, '-H', `origin: ${app.url}`, '-w', '\n%{http_code}', ...args], { maxBuffer: 16 * 1024 * 1024 });
  const nl = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(nl + 1)), body: JSON.parse(stdout.slice(0, nl) || 'null') };
}

function tempFile(bytes: Buffer): string {
  const file = path.join(tmp, `f-${randomBytes(4).toString('hex')}`);
  fs.writeFileSync(file, bytes);
  return file;
}

const url = (imageId: string, kind = 'kernel', query = '') => `${app.url}/api/v1/images/${imageId}/artifacts/${kind}${query}`;

test('curl -F kernel=@file -F sha256=…: stored under its sha256, the field after the file', async () => {
  const image = await newImage(api);
  const kernel = randomBytes(3 * 1024 * 1024 + 17);
  const res = await curl(['-F', `kernel=@${tempFile(kernel)}`, '-F', `sha256=${sha(kernel)}`, url(image.id)]);
  assert.deepEqual({ status: res.status, kernel: res.body.kernelSha256 }, { status: 200, kernel: sha(kernel) });
  assert.equal(sha(fs.readFileSync(path.join(storeDir(web.dataDir), sha(kernel)))), sha(kernel));
});

test('curl -X PUT -F with the checksum as a header, force as a field before the file', async () => {
  const image = await newImage(api);
  const [k, i] = [randomBytes(1000), randomBytes(1000)];
  await curl(['-F', `kernel=@${tempFile(k)}`, url(image.id)]);
  await curl(['-F', `initrd=@${tempFile(i)}`, url(image.id, 'initrd')]);
  const again = randomBytes(2000);
  const refused = await curl(['-F', `kernel=@${tempFile(again)}`, url(image.id)]);
  assert.deepEqual({ status: refused.status, field: refused.body.field }, { status: 409, field: 'status' });
  const forced = await curl(['-X', 'PUT', '-H', `x-checksum-sha256: ${sha(again)}`, '-F', 'force=true', '-F', `kernel=@${tempFile(again)}`, url(image.id)]);
  assert.deepEqual({ status: forced.status, kernel: forced.body.kernelSha256, image: forced.body.status }, { status: 200, kernel: sha(again), image: 'ready' });
});

test('a wrong checksum is refused (400, field sha256): no artifact, no temp file, the image unchanged', async () => {
  const image = await newImage(api);
  const kernel = randomBytes(2 * 1024 * 1024);
  const before = storeFiles(web.dataDir);
  const res = await curl(['-F', `kernel=@${tempFile(kernel)}`, '-F', `sha256=${'0'.repeat(64)}`, url(image.id)]);
  assert.deepEqual({ status: res.status, field: res.body.field }, { status: 400, field: 'sha256' });
  assert.deepEqual(await waitForNoIncoming(web.dataDir), []);
  assert.deepEqual(storeFiles(web.dataDir), before);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256, null);
});

const refusals: Array<[string, (file: string) => string[], string]> = [
  ['no file part', () => ['-F', `sha256=${'a'.repeat(64)}`], 'kernel'],
  ['two file parts', (file) => ['-F', `kernel=@${file}`, '-F', `kernel=@${file}`], 'kernel'],
  ['two sha256 fields', (file) => ['-F', `sha256=${'a'.repeat(64)}`, '-F', `sha256=${'b'.repeat(64)}`, '-F', `kernel=@${file}`], 'sha256'],
  ['an unknown field', (file) => ['-F', `kernel=@${file}`, '-F', 'note=hello'], 'note'],
  ['the file under another kind', (file) => ['-F', `initrd=@${file}`], 'initrd'],
  ['a malformed sha256 field', (file) => ['-F', `kernel=@${file}`, '-F', 'sha256=abc'], 'sha256'],
  ['field and header disagree', (file) => ['-H', `x-checksum-sha256: ${'a'.repeat(64)}`, '-F', `kernel=@${file}`, '-F', `sha256=${'b'.repeat(64)}`], 'sha256'],
];
for (const [what, args, field] of refusals) {
  test(`refused with 400 naming the field: ${what}`, async () => {
    const image = await newImage(api);
    const before = storeFiles(web.dataDir);
    const res = await curl([...args(tempFile(randomBytes(4096))), url(image.id)]);
    assert.deepEqual({ status: res.status, field: res.body.field }, { status: 400, field }, JSON.stringify(res.body));
    assert.deepEqual(await waitForNoIncoming(web.dataDir), []);
    assert.deepEqual(storeFiles(web.dataDir), before);
  });
}

test('a raw body by POST is 415 (the raw body goes by PUT)', async () => {
  const image = await newImage(api);
  const res = await curl(['-X', 'POST', '-H', 'content-type: application/octet-stream', '--data-binary', `@${tempFile(randomBytes(100))}`, url(image.id)]);
  assert.deepEqual({ status: res.status, field: res.body.field }, { status: 415, field: 'content-type' });
});

const boundary = 'fleetboot-test-boundary-6a0f9c';
const fileHead = (kind: string) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${kind}"; filename="${kind}.img"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const fieldPart = (name: string, value: string) => Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}`);
const closing = Buffer.from(`\r\n--${boundary}--\r\n`);

/** Sends the headers and `sendBytes` of a form's file part (never its end), then cuts the connection. */
async function cutForm(imageId: string, declaredBytes: number, sendBytes: number): Promise<void> {
  const { hostname, port } = new URL(app.url);
  const socket = net.connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  socket.write(`POST /api/v1/images/${imageId}/artifacts/kernel HTTP/1.1\r\nhost: ${hostname}\r\ncookie: ${cookie}\r\nsec-fetch-site: same-origin\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${declaredBytes}\r\n\r\n`);
  socket.write(fileHead('kernel'));
  const chunk = randomBytes(256 * 1024);
  for (let sent = 0; sent < sendBytes; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
}

test('a form cut mid-file leaves nothing visible: no artifact, no temp file, the image unchanged', async () => {
  const image = await newImage(api);
  const before = storeFiles(web.dataDir);
  await cutForm(image.id, 64 * 1024 * 1024, 16 * 1024 * 1024);
  assert.deepEqual(await waitForNoIncoming(web.dataDir), []);
  assert.deepEqual(storeFiles(web.dataDir), before);
  const now = (await api.get(`/images/${image.id}`)).body;
  assert.deepEqual([now.status, now.kernelSha256], ['uploading', null]);
});

test('a form whose file is complete but whose closing boundary never comes: nothing published', async () => {
  const image = await newImage(api);
  const kernel = randomBytes(1024 * 1024);
  const before = storeFiles(web.dataDir);
  // The whole file part and its delimiter, then a cut: no close delimiter, so not a complete form.
  const body = Buffer.concat([fileHead('kernel'), kernel, fieldPart('sha256', sha(kernel))]);
  const res = await fetch(url(image.id), {
    method: 'POST',
    headers: { cookie, origin: app.url, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: new Uint8Array(body),
  });
  assert.deepEqual({ status: res.status, field: (await res.json()).field }, { status: 400, field: 'body' });
  assert.deepEqual(await waitForNoIncoming(web.dataDir), []);
  assert.deepEqual(storeFiles(web.dataDir), before);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256, null);
});

test('1 GiB form streamed from a generator (sha256 field after the file): sha256 matches, the web process RSS stays flat', async () => {
  const image = await newImage(api);
  const totalBytes = 1024 ** 3;
  const hash = createHash('sha256');
  async function* generate() {
    yield fileHead('kernel');
    yield* distinctMiBs(0, totalBytes, hash);
    yield fieldPart('sha256', hash.copy().digest('hex'));
    yield closing;
  }
  const length = fileHead('kernel').length + totalBytes + fieldPart('sha256', '0'.repeat(64)).length + closing.length;
  const { result: res, growthMiB } = await measureGiBUpload(web.pid, '1 GiB form upload', () => fetch(url(image.id), {
    method: 'POST',
    headers: { cookie, origin: app.url, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
    body: Readable.toWeb(Readable.from(generate())),
    duplex: 'half',
  } as RequestInit));
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  const digest = hash.digest('hex');
  assert.deepEqual({ sha256: body.kernelSha256, size: fs.statSync(path.join(storeDir(web.dataDir), digest)).size }, { sha256: digest, size: totalBytes });
  assert.ok(growthMiB < 128, `web RSS grew by ${growthMiB.toFixed(0)} MiB during a 1 GiB form upload`);
  fs.rmSync(path.join(storeDir(web.dataDir), digest));
});
