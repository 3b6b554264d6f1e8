// A ram-mode image's rootfs is measured after its upload (compression, unpacked size from the
// tar headers) and its image page warns about the role's hosts with less RAM than it needs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { apiClient, startTestWebApp, type TestWebApp } from '../../testing/web-app.ts';
import { until } from '../../testing/until.ts';
import { createHost, createRole, sql, unique, uniqueMac, type Api } from '../../api/integration/fixtures.ts';
import { inodeBytes, pageBytes } from '../tar-size.ts';
import { ramRootMarginBytes } from '../ram-fit.ts';

let app: TestWebApp;
let api: Api;
let cookie: string;
let token: string;
let dir: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ramfit-'));
  app = await startTestWebApp('ram_root_fit');
  cookie = await app.signIn();
  api = apiClient(app.url, { cookie });
  token = (await api.post('/tokens', { name: 'ram-fit' })).body.secret;
});
after(async () => {
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The words a reader sees: the page's scripts (their payload repeats the text as JSON) and tags dropped. */
function pageText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<!-- -->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

async function upload(imageId: string, kind: string, file: string) {
  const bytes = fs.readFileSync(file);
  const res = await fetch(`${app.url}/api/v1/images/${imageId}/artifacts/${kind}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'x-checksum-sha256': createHash('sha256').update(bytes).digest('hex'), 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  assert.equal(res.status, 200, await res.text());
}

test('a zstd rootfs is measured after upload, and the image page names the hosts short of RAM', async () => {
  // The tree: ./ ./srv ./srv/payload (1 MiB + 1 byte) → 3 inodes, 257 pages.
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(path.join(tree, 'srv'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'srv/payload'), Buffer.alloc(1024 * 1024 + 1, 1));
  const rootfs = path.join(dir, 'rootfs.tar.zst');
  execFileSync('bash', ['-c', 'tar -C "$1" -cf - . | zstd -q -o "$2"', '-', tree, rootfs]);
  const unpacked = 3 * inodeBytes + Math.ceil((1024 * 1024 + 1) / pageBytes) * pageBytes;
  const need = unpacked + ramRootMarginBytes;

  const role = await createRole(api, { rootMode: 'ram' });
  const image = (await api.post('/images', { roleId: role.id, version: unique('big') })).body;
  fs.writeFileSync(path.join(dir, 'k'), 'kernel');
  await upload(image.id, 'kernel', path.join(dir, 'k'));
  await upload(image.id, 'initrd', path.join(dir, 'k'));
  await upload(image.id, 'rootfs', rootfs);

  const measured = await until('the rootfs measured', async () => {
    const r = (await api.get(`/images/${image.id}`)).body.rootfs;
    return r.unpackedBytes !== null ? r : null;
  }, 30_000);
  assert.deepEqual({ compression: measured.compression, unpackedBytes: Number(measured.unpackedBytes) }, { compression: 'zstd', unpackedBytes: unpacked });

  // Three hosts: one with too little RAM, one with enough (both from discovery facts), one never discovered.
  const small = await createHost(api, { roleId: role.id, mac: uniqueMac() });
  const large = await createHost(api, { roleId: role.id, mac: uniqueMac() });
  await createHost(api, { roleId: role.id, mac: uniqueMac() });
  for (const [h, bytes] of [[small, need - 1024 * 1024], [large, need + 1024 * 1024]] as const) {
    await sql(app, `INSERT INTO "DiscoveredMachine" (mac, facts, "claimedById") VALUES ($1, $2, $3)`, [h.mac, JSON.stringify({ memoryKib: bytes / 1024, cpus: 1, disks: [], nics: [] }), h.id]);
  }
  const page = await fetch(`${app.url}/images/${image.id}`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const html = await page.text();
  // The panel's words, without the page's scripts (their payload repeats the text as JSON).
  const text = pageText(html);
  assert.match(text, /Root in RAM/);
  assert.match(text, /Too little RAM: 1 host of this role has less RAM than this root needs/);
  assert.match(text, new RegExp(`${small.hostname} ?: 256\\.\\d MiB`));
  assert.ok(!text.includes(large.hostname), 'the host with enough RAM is not listed');
  assert.match(text, /1 host of the role has enough RAM; 1 never went through discovery/);
});

test('a rootfs that is no archive is reported on the image page as one the hosts would fail to unpack', async () => {
  const role = await createRole(api, { rootMode: 'ram' });
  const image = (await api.post('/images', { roleId: role.id, version: unique('junk') })).body;
  fs.writeFileSync(path.join(dir, 'junk'), 'not a tarball at all');
  await upload(image.id, 'rootfs', path.join(dir, 'junk'));
  await until('the rootfs looked at', async () => (await api.get(`/images/${image.id}`)).body.rootfs.compression !== null, 30_000);
  const html = await (await fetch(`${app.url}/images/${image.id}`, { headers: { cookie } })).text();
  const text = pageText(html);
  assert.match(text, /could not be read as a tar archive/);
});
