// Resumable artifact uploads through the real web process: POST …/artifacts/{kind}/uploads,
// then PATCH /api/v1/uploads/{id} with Upload-Offset, GET/HEAD for the offset. What an operator
// on a flaky link would notice: a cut upload continues where it stopped (also after the web
// process was killed and restarted), the finished file has the right sha256, a wrong offset is
// refused with the right one, and abandoned uploads don't stay on disk.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { apiClient, startWebProcess, startTestWebApp, type TestWebApp, type WebProcess } from '../../testing/web-app.ts';
import { unique, type Api } from '../../api/integration/fixtures.ts';
import { findWebProcess, newImage, distinctMiBs, measureGiBUpload, sha, storeDir, storeFiles } from './upload-fixtures.ts';

let app: TestWebApp;
let api: Api;
let cookie: string;
let web: { pid: number; dataDir: string };
/** the web process started again by the restart test (stopped before the app's own stop) */
let restarted: WebProcess | null = null;

before(async () => {
  app = await startTestWebApp('images_upload_sessions');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
  web = findWebProcess(new URL(app.url).port);
});
after(async () => {
  await restarted?.stop();
  await app?.stop();
});

const sessionsDir = () => path.join(storeDir(web.dataDir), '.uploads');

async function createSession(base: string, imageId: string, body: Record<string, unknown>, kind = 'kernel') {
  const res = await fetch(`${base}/api/v1/images/${imageId}/artifacts/${kind}/uploads`, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function patch(base: string, uploadId: string, offset: number | null, chunk: Buffer, extra: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1/uploads/${uploadId}`, {
    method: 'PATCH',
    headers: { cookie, origin: base, 'content-type': 'application/offset+octet-stream', ...(offset === null ? {} : { 'upload-offset': String(offset) }), ...extra },
    body: new Uint8Array(chunk),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function getSession(base: string, uploadId: string) {
  const res = await fetch(`${base}/api/v1/uploads/${uploadId}`, { headers: { cookie } });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/**
 * Sends a PATCH's headers and `sendBytes` of `chunk` (declared whole), then cuts the
 * connection: a link that dropped mid-chunk. `keepOpen` leaves it hanging instead (a half-open
 * connection the server can't tell is dead); the returned function closes it.
 */
async function cutPatch(base: string, uploadId: string, offset: number, chunk: Buffer, sendBytes: number, keepOpen = false): Promise<() => void> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  socket.write(`PATCH /api/v1/uploads/${uploadId} HTTP/1.1\r\nhost: ${hostname}\r\ncookie: ${cookie}\r\nsec-fetch-site: same-origin\r\nupload-offset: ${offset}\r\ncontent-type: application/offset+octet-stream\r\ncontent-length: ${chunk.length}\r\n\r\n`);
  for (let sent = 0; sent < sendBytes; sent += 64 * 1024) {
    if (!socket.write(chunk.subarray(sent, Math.min(sent + 64 * 1024, sendBytes)))) await new Promise((r) => socket.once('drain', r));
  }
  await new Promise((r) => setTimeout(r, 300));
  if (!keepOpen) socket.destroy();
  return () => socket.destroy();
}

/** Polls GET until the offset stops moving (the server has stored what reached it). */
async function settledOffset(base: string, uploadId: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const s = await getSession(base, uploadId);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    if (s.body.offset === last) return last;
    last = s.body.offset;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

test('upload half, cut mid-chunk, ask the offset (GET and HEAD), resume, finish: the sha256 matches and the image has it', async () => {
  const image = await newImage(api);
  const file = randomBytes(24 * 1024 * 1024 + 123);
  const created = await createSession(app.url, image.id, { sizeBytes: file.length, sha256: sha(file) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual([created.body.offset, created.body.complete, created.headers.get('location')], [0, false, `/api/v1/uploads/${created.body.id}`]);
  const id = created.body.id;

  const first = await patch(app.url, id, 0, file.subarray(0, 8 * 1024 * 1024));
  assert.deepEqual([first.status, first.body.offset, first.headers.get('upload-offset')], [200, 8 * 1024 * 1024, String(8 * 1024 * 1024)]);
  // The second chunk is cut after ~4 MiB of its 8.
  await cutPatch(app.url, id, 8 * 1024 * 1024, file.subarray(8 * 1024 * 1024, 16 * 1024 * 1024), 4 * 1024 * 1024);
  const offset = await settledOffset(app.url, id);
  assert.ok(offset > 8 * 1024 * 1024 && offset < 16 * 1024 * 1024, `offset after the cut: ${offset}`);
  const head = await fetch(`${app.url}/api/v1/uploads/${id}`, { method: 'HEAD', headers: { cookie } });
  assert.deepEqual([head.status, head.headers.get('upload-offset'), head.headers.get('upload-length')], [200, String(offset), String(file.length)]);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256, null, 'nothing published before the last byte');

  const rest = await patch(app.url, id, offset, file.subarray(offset));
  assert.equal(rest.status, 200, JSON.stringify(rest.body));
  assert.deepEqual({ complete: rest.body.complete, offset: rest.body.offset, sha256: rest.body.sha256, kernel: rest.body.image.kernelSha256 }, { complete: true, offset: file.length, sha256: sha(file), kernel: sha(file) });
  assert.equal(sha(fs.readFileSync(path.join(storeDir(web.dataDir), sha(file)))), sha(file));
  assert.ok(!fs.existsSync(path.join(sessionsDir(), `${id}.part`)), 'the part file became the artifact');
  const audit = await api.get(`/audit?entityId=${image.id}`);
  assert.ok(JSON.stringify(audit.body).includes(id), `the upload audit entry names the session: ${JSON.stringify(audit.body).slice(0, 400)}`);

  // The answer to the last chunk was lost? Asking again says complete; an empty PATCH at the end gives the image again.
  const again = await patch(app.url, id, file.length, Buffer.alloc(0));
  assert.deepEqual([again.status, again.body.complete, again.body.image?.kernelSha256], [200, true, sha(file)]);
});

test('a PATCH at the wrong offset → 409 with the right one, nothing appended', async () => {
  const image = await newImage(api);
  const file = randomBytes(1024 * 1024);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: file.length });
  await patch(app.url, session.id, 0, file.subarray(0, 1000));
  for (const wrong of [0, 500, 2000]) {
    const res = await patch(app.url, session.id, wrong, file.subarray(wrong, wrong + 100));
    assert.deepEqual({ status: res.status, field: res.body.field, offset: res.body.details?.offset }, { status: 409, field: 'upload-offset', offset: 1000 }, `at ${wrong}`);
  }
  const missing = await patch(app.url, session.id, null, file.subarray(1000, 1100));
  assert.deepEqual([missing.status, missing.body.field], [400, 'upload-offset']);
  assert.equal((await getSession(app.url, session.id)).body.offset, 1000);
});

test('a new PATCH takes over from one hanging on a half-open connection', async () => {
  const image = await newImage(api);
  const file = randomBytes(4 * 1024 * 1024);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: file.length, sha256: sha(file) });
  const close = await cutPatch(app.url, session.id, 0, file, 1024 * 1024, true);
  try {
    const offset = await settledOffset(app.url, session.id);
    assert.ok(offset > 0, 'the hanging request stored what reached the server');
    const res = await patch(app.url, session.id, offset, file.subarray(offset));
    assert.deepEqual([res.status, res.body.complete, res.body.image?.kernelSha256], [200, true, sha(file)], JSON.stringify(res.body));
  } finally {
    close();
  }
});

test('a wrong checksum at the last chunk: 400 (field sha256), nothing published, the session gone', async () => {
  const image = await newImage(api);
  const file = randomBytes(2 * 1024 * 1024);
  const before = storeFiles(web.dataDir);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: file.length, sha256: 'f'.repeat(64) });
  await patch(app.url, session.id, 0, file.subarray(0, 1024 * 1024));
  const last = await patch(app.url, session.id, 1024 * 1024, file.subarray(1024 * 1024));
  assert.deepEqual([last.status, last.body.field], [400, 'sha256']);
  assert.deepEqual(storeFiles(web.dataDir), before);
  assert.equal((await api.get(`/images/${image.id}`)).body.kernelSha256, null);
  assert.equal((await getSession(app.url, session.id)).status, 404);
  assert.ok(!fs.existsSync(path.join(sessionsDir(), `${session.id}.part`)));
});

test('more bytes than the upload was created with → 413, the offset unchanged', async () => {
  const image = await newImage(api);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: 1000 });
  const res = await patch(app.url, session.id, 0, randomBytes(1001));
  assert.equal(res.status, 413);
  assert.equal((await getSession(app.url, session.id)).body.offset, 0);
});

test('creating: 409 for a ready image unless force, 413 over the limit, 400 naming a bad field, 403 for a viewer', async () => {
  const image = await newImage(api);
  for (const kind of ['kernel', 'initrd']) {
    const { body: s } = await createSession(app.url, image.id, { sizeBytes: 10 }, kind);
    assert.equal((await patch(app.url, s.id, 0, randomBytes(10))).body.complete, true);
  }
  const refused = await createSession(app.url, image.id, { sizeBytes: 10 });
  assert.deepEqual([refused.status, refused.body.field], [409, 'status']);
  assert.equal((await createSession(app.url, image.id, { sizeBytes: 10, force: true })).status, 201);
  assert.equal((await createSession(app.url, image.id, { sizeBytes: 17 * 1024 ** 3, force: true })).status, 413);
  const bad = await createSession(app.url, image.id, { sizeBytes: -1 });
  assert.deepEqual([bad.status, bad.body.field], [400, 'sizeBytes']);
  await app.addUser('upload-viewer', 'viewer-password-123', 'viewer');
  const viewerCookie = await app.signIn('upload-viewer', 'viewer-password-123');
  const res = await fetch(`${app.url}/api/v1/images/${image.id}/artifacts/kernel/uploads`, { method: 'POST', headers: { cookie: viewerCookie, origin: app.url, 'content-type': 'application/json' }, body: JSON.stringify({ sizeBytes: 10, force: true }) });
  assert.equal(res.status, 403);
});

test('DELETE cancels: the bytes are gone, the session 404', async () => {
  const image = await newImage(api);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: 4096 });
  await patch(app.url, session.id, 0, randomBytes(2048));
  const res = await fetch(`${app.url}/api/v1/uploads/${session.id}`, { method: 'DELETE', headers: { cookie, origin: app.url } });
  assert.equal(res.status, 204);
  assert.equal((await getSession(app.url, session.id)).status, 404);
  assert.deepEqual(fs.readdirSync(sessionsDir()).filter((f) => f.startsWith(session.id)), []);
});

test('an expired session is deleted (its part file too) and then 404', async () => {
  const image = await newImage(api);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: 4096 });
  await patch(app.url, session.id, 0, randomBytes(2048));
  const files = fs.readdirSync(sessionsDir()).filter((f) => f.startsWith(session.id)).sort();
  assert.deepEqual(files, [`${session.id}.json`, `${session.id}.part`]);
  // 25 hours without a byte (the default expiry is 24 h after the last one).
  const past = new Date(Date.now() - 25 * 3600 * 1000);
  for (const f of files) fs.utimesSync(path.join(sessionsDir(), f), past, past);
  // Any new session sweeps the expired ones.
  const other = await newImage(api);
  assert.equal((await createSession(app.url, other.id, { sizeBytes: 10 })).status, 201);
  assert.deepEqual(fs.readdirSync(sessionsDir()).filter((f) => f.startsWith(session.id)), []);
  assert.equal((await getSession(app.url, session.id)).status, 404);
});

test('1 GiB in 256 MiB chunks, streamed from a generator: sha256 matches, the web process RSS stays flat', async () => {
  const image = await newImage(api);
  const totalBytes = 1024 ** 3;
  const chunkBytes = 256 * 1024 ** 2;
  const hash = createHash('sha256');
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: totalBytes });
  const { result: last, growthMiB } = await measureGiBUpload(web.pid, '1 GiB resumable upload (4 PATCHes)', async () => {
    // the last PATCH's JSON answer, read field by field
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let answer: any;
    for (let at = 0; at < totalBytes; at += chunkBytes) {
      const res = await fetch(`${app.url}/api/v1/uploads/${session.id}`, {
        method: 'PATCH',
        headers: { cookie, origin: app.url, 'upload-offset': String(at), 'content-type': 'application/offset+octet-stream', 'content-length': String(chunkBytes) },
        body: Readable.toWeb(Readable.from(distinctMiBs(at, at + chunkBytes, hash))),
        duplex: 'half',
      } as RequestInit);
      answer = await res.json();
      assert.equal(res.status, 200, JSON.stringify(answer));
    }
    return answer;
  });
  const digest = hash.digest('hex');
  assert.deepEqual({ complete: last.complete, sha256: last.image.kernelSha256, size: fs.statSync(path.join(storeDir(web.dataDir), digest)).size }, { complete: true, sha256: digest, size: totalBytes });
  assert.ok(growthMiB < 128, `web RSS grew by ${growthMiB.toFixed(0)} MiB during a 1 GiB resumable upload`);
  fs.rmSync(path.join(storeDir(web.dataDir), digest));
});

test("the README's curl commands: create, a PATCH cut by the link, the resume loop finishes it", async () => {
  const image = await newImage(api);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-resume-'));
  try {
    const file = randomBytes(12 * 1024 * 1024);
    fs.writeFileSync(path.join(dir, 'rootfs.tar.zst'), file);
    // As in README.md "API for scripts", with an API token and, between creating and the loop,
    // an attempt that the link cuts after ~2 s at 1 MiB/s.
    const token = await api.post('/tokens', { name: unique('readme-script') });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    const script = `
      set -u
      f=rootfs.tar.zst
      url=$(curl -fsS -H "$auth" -H 'content-type: application/json' \\
        -d "{\\"sizeBytes\\": $(stat -c %s "$f"), \\"sha256\\": \\"$(sha256sum < "$f" | cut -c1-64)\\"}" \\
        "$console/api/v1/images/$img/artifacts/rootfs/uploads" | jq -r .url)
      curl -sS --limit-rate 1M --max-time 2 -X PATCH -H "$auth" -H "Upload-Offset: 0" -H 'content-type: application/offset+octet-stream' -T "$f" "$console$url" > /dev/null
      echo "cut at $(curl -fsS -H "$auth" "$console$url" | jq .offset)"
      until off=$(curl -fsS -H "$auth" "$console$url" | jq -e .offset) &&
            tail -c +$((off + 1)) "$f" | curl -fsS -X PATCH -H "$auth" -H "Upload-Offset: $off" -H 'content-type: application/offset+octet-stream' -T - "$console$url" | jq -e .complete > /dev/null
      do sleep 5; done
      curl -fsS -H "$auth" "$console$url" | jq -r '"\\(.complete) \\(.sha256)"'
    `;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: dir, env: { ...process.env, auth: `Authorization: Bearer ${token.body.secret}`, console: app.url, img: image.id } });
    const [cut, done] = stdout.trim().split('\n');
    const cutAt = Number(cut!.replace('cut at ', ''));
    assert.ok(cutAt > 0 && cutAt < file.length, `the first attempt was cut: ${cut}`);
    assert.equal(done, `true ${sha(file)}`);
    assert.equal((await api.get(`/images/${image.id}`)).body.rootfsSha256, sha(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the web process killed mid-chunk and started again: the upload resumes from what was stored and finishes with the right sha256', async () => {
  const image = await newImage(api);
  const file = randomBytes(32 * 1024 * 1024);
  const { body: session } = await createSession(app.url, image.id, { sizeBytes: file.length, sha256: sha(file) });
  await patch(app.url, session.id, 0, file.subarray(0, 8 * 1024 * 1024));
  // The second chunk is under way when the process dies (kill -9: no cleanup of any kind).
  // Another upload, abandoned more than a day ago: the restarted process deletes it at start.
  const { body: abandoned } = await createSession(app.url, (await newImage(api)).id, { sizeBytes: 4096 });
  await patch(app.url, abandoned.id, 0, randomBytes(1000));
  const past = new Date(Date.now() - 25 * 3600 * 1000);
  for (const f of [`${abandoned.id}.json`, `${abandoned.id}.part`]) fs.utimesSync(path.join(sessionsDir(), f), past, past);
  const close = await cutPatch(app.url, session.id, 8 * 1024 * 1024, file.subarray(8 * 1024 * 1024), 8 * 1024 * 1024, true);
  process.kill(web.pid, 'SIGKILL');
  close();
  await new Promise((r) => setTimeout(r, 500));
  restarted = await startWebProcess(app.db.url, { dataDir: web.dataDir });
  assert.deepEqual(fs.readdirSync(sessionsDir()).filter((f) => f.startsWith(abandoned.id)), [], 'the expired session was swept at start');
  const status = await getSession(restarted.url, session.id);
  assert.equal(status.status, 200, JSON.stringify(status.body));
  const offset = status.body.offset;
  assert.ok(offset >= 8 * 1024 * 1024 && offset < file.length, `offset after the restart: ${offset}`);
  // The rest in two chunks, the hash of what was stored before the kill read back from disk.
  const mid = offset + Math.floor((file.length - offset) / 2);
  assert.equal((await patch(restarted.url, session.id, offset, file.subarray(offset, mid))).body.offset, mid);
  const last = await patch(restarted.url, session.id, mid, file.subarray(mid));
  assert.equal(last.status, 200, JSON.stringify(last.body));
  assert.deepEqual([last.body.complete, last.body.image.kernelSha256], [true, sha(file)]);
  assert.equal(sha(fs.readFileSync(path.join(storeDir(web.dataDir), sha(file)))), sha(file));
});
