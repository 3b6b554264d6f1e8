// The artifact store's disk running out, for real: the web process's store is a 24 MiB tmpfs.
// A declared size that can't fit is refused with 507 before a byte is read; a stream that fills
// the disk ends in 507 and leaves no half file; a resumable upload stopped by a full disk keeps
// what it stored and finishes, with the right sha256, once space is freed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import type { Api } from '../../api/integration/fixtures.ts';
import { findWebProcess, newImage, sha, storeDir, storeFiles } from './upload-fixtures.ts';

const MiB = 1024 * 1024;
let app: TestWebApp;
let api: Api;
let cookie: string;
let store: string;
let dataDir: string;
let mounted = false;

before(async () => {
  // The reserve would refuse everything on a disk this small; the test is about the disk itself.
  process.env.FLEETBOOT_MIN_FREE_BYTES = '0';
  app = await startTestWebApp('upload_disk_full');
  delete process.env.FLEETBOOT_MIN_FREE_BYTES;
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
  dataDir = findWebProcess(new URL(app.url).port).dataDir;
  store = storeDir(dataDir);
  fs.mkdirSync(store, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'fb-test-store', store]);
  mounted = true;
});
after(async () => {
  if (mounted) execFileSync('umount', ['-l', store]);
  await app?.stop();
});

const put = (imageId: string, body: BodyInit, headers: Record<string, string>) =>
  fetch(`${app.url}/api/v1/images/${imageId}/artifacts/kernel`, { method: 'PUT', headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', ...headers }, body, duplex: 'half' } as RequestInit);

test('a PUT declaring more than the disk holds → 507 naming body, before a byte is stored', async () => {
  const image = await newImage(api);
  const res = await fetch(`${app.url}/api/v1/images/${image.id}/artifacts/kernel`, { method: 'PUT', headers: { cookie, origin: app.url, 'content-type': 'application/octet-stream', 'content-length': String(64 * MiB) }, body: Readable.toWeb(Readable.from((function* () { for (let i = 0; i < 64; i++) yield Buffer.alloc(MiB); })())), duplex: 'half' } as RequestInit).catch((err: Error) => err);
  // The server may answer and close before the body is sent: either way nothing lands.
  if (res instanceof Response) {
    const body = await res.json();
    assert.deepEqual({ status: res.status, field: body.field, code: body.code }, { status: 507, field: 'body', code: 'insufficient_storage' }, JSON.stringify(body));
  }
  assert.deepEqual(storeFiles(dataDir), []);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256 ?? null, null);
});

test('a resumable upload larger than the free space → 507 at creation', async () => {
  const image = await newImage(api);
  const res = await fetch(`${app.url}/api/v1/images/${image.id}/artifacts/kernel/uploads`, { method: 'POST', headers: { cookie, origin: app.url, 'content-type': 'application/json' }, body: JSON.stringify({ sizeBytes: 64 * MiB }) });
  const body = await res.json();
  assert.deepEqual({ status: res.status, field: body.field }, { status: 507, field: 'body' }, JSON.stringify(body));
  assert.ok(body.details.freeBytes < 64 * MiB, JSON.stringify(body));
});

test('a chunked PUT (no length declared) that fills the disk → 507, and no temp file is left', async () => {
  const image = await newImage(api);
  const res = await put(image.id, Readable.toWeb(Readable.from((function* () { for (let i = 0; i < 40; i++) yield randomBytes(MiB); })())) as ReadableStream, {});
  const body = await res.json();
  assert.deepEqual({ status: res.status, field: body.field, code: body.code }, { status: 507, field: 'body', code: 'insufficient_storage' }, JSON.stringify(body));
  assert.deepEqual(storeFiles(dataDir), []);
});

test('a resumable upload stopped by a full disk keeps its bytes, and finishes with the right sha256 once space is freed', async () => {
  const image = await newImage(api);
  const file = randomBytes(16 * MiB);
  const created = await fetch(`${app.url}/api/v1/images/${image.id}/artifacts/kernel/uploads`, { method: 'POST', headers: { cookie, origin: app.url, 'content-type': 'application/json' }, body: JSON.stringify({ sizeBytes: file.length, sha256: sha(file) }) });
  const session = await created.json();
  assert.equal(created.status, 201, JSON.stringify(session));
  // Something else takes 12 of the 24 MiB meanwhile.
  const filler = path.join(store, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(12 * MiB));
  const patch = (offset: number, bytes: Buffer) => fetch(`${app.url}/api/v1/uploads/${session.id}`, { method: 'PATCH', headers: { cookie, origin: app.url, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) }, body: new Uint8Array(bytes) });
  const full = await patch(0, file);
  const fullBody = await full.json();
  assert.deepEqual({ status: full.status, code: fullBody.code }, { status: 507, code: 'insufficient_storage' }, JSON.stringify(fullBody));
  const offset = fullBody.details.offset as number;
  assert.ok(offset > 0 && offset < file.length, `stored before the disk filled: ${offset}`);
  const status = await (await fetch(`${app.url}/api/v1/uploads/${session.id}`, { headers: { cookie } })).json();
  assert.equal(status.offset, offset, 'the offset the server reports is what it stored');
  fs.rmSync(filler);
  const rest = await patch(offset, file.subarray(offset));
  const done = await rest.json();
  assert.equal(rest.status, 200, JSON.stringify(done));
  assert.deepEqual([done.complete, done.image.kernelSha256], [true, sha(file)]);
  assert.equal(sha(fs.readFileSync(path.join(store, sha(file)))), sha(file));
});
