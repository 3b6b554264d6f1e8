// The console's boot doctor says what bootd will answer, because it asks the same code: the
// doctor reads the database through Prisma (server/boot-doctor/queries.ts), bootd through its
// config cache, and the pxelinux config the doctor shows verbatim is byte for byte the one
// bootd's TFTP service sends curl for the same host, for a host that boots and for one whose
// role has no image (which the doctor reports before power-on, and bootd answers with its
// local disk).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';
import { ConfigCache } from '../config-cache.ts';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import type { BootdContext } from '../bootd-context.ts';
import { startTftpService, defaultTftpTuning } from '../tftp/service.ts';

const skip = process.env.FLEETBOOT_TEST_DATABASE_URL ? false : 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';
if (skip) console.log(`# skipped: ${skip}`);
const log = { info() {}, warn() {}, error() {} };
const httpBaseUrl = 'http://127.0.0.1:8080';
let db: TestDatabase;
let pool: pg.Pool;
let stateDir: string;
let doctor: typeof import('../../server/boot-doctor/queries.ts');
let disconnect: () => Promise<void>;

before(async () => {
  if (skip) return;
  db = await createTestDatabase('boot_doctor');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'fb-doctor-'));
  // The web process's Prisma client and the doctor's idea of bootd read these, as in production.
  process.env.DATABASE_URL = db.url;
  process.env.FLEETBOOT_BOOTD_ADDRESS = '127.0.0.1';
  process.env.FLEETBOOT_BOOT_HTTP_URL = httpBaseUrl;
  doctor = await import('../../server/boot-doctor/queries.ts');
  const prisma = (await import('../../server/db/client.ts')).db();
  disconnect = () => prisma.$disconnect();
});
after(async () => {
  if (skip) return;
  await disconnect?.();
  await pool.end();
  await db.drop();
  await rm(stateDir, { recursive: true, force: true });
});

async function insertRole(name: string, withImage: boolean): Promise<{ roleId: string; imageId: string | null }> {
  const roleId = randomUUID();
  await pool.query(`INSERT INTO "Role" (id, name, "rootMode", "updatedAt") VALUES ($1, $2, 'ram', now())`, [roleId, name]);
  if (!withImage) return { roleId, imageId: null };
  const imageId = randomUUID();
  const sha = (kind: string) => `${name}-${kind}`.padEnd(64, '0');
  for (const kind of ['kernel', 'initrd', 'rootfs']) await pool.query(`INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 1, $2)`, [sha(kind), `/srv/${name}/${kind}`]);
  await pool.query(
    `INSERT INTO "Image" (id, "roleId", version, status, "kernelSha256", "initrdSha256", "rootfsSha256", "updatedAt") VALUES ($1, $2, '3', 'active', $3, $4, $5, now())`,
    [imageId, roleId, sha('kernel'), sha('initrd'), sha('rootfs')],
  );
  await pool.query(`UPDATE "Role" SET "activeImageId" = $1 WHERE id = $2`, [imageId, roleId]);
  return { roleId, imageId };
}

test('the pxelinux config the doctor shows is the one bootd serves; a role without an image is reported before power-on', { skip, timeout: 60_000 }, async () => {
  const networkId = randomUUID();
  await pool.query(
    `INSERT INTO "Network" (id, name, cidr, "bootServer", "poolStart", "poolEnd", "updatedAt") VALUES ($1, 'rack1', '10.77.0.0/24', '10.77.0.2', '10.77.0.100', '10.77.0.150', now())`,
    [networkId],
  );
  const web = await insertRole('web', true);
  const empty = await insertRole('empty', false);
  const hosts = [
    { id: randomUUID(), hostname: 'web07', mac: '52:54:00:78:00:07', roleId: web.roleId },
    { id: randomUUID(), hostname: 'db01', mac: '52:54:00:78:00:01', roleId: empty.roleId },
    { id: randomUUID(), hostname: 'db02', mac: '52:54:00:78:00:02', roleId: empty.roleId },
  ];
  for (const h of hosts) {
    // No reserved address: these hosts boot on pool leases.
    await pool.query(`INSERT INTO "Host" (id, hostname, mac, "networkId", "roleId", "updatedAt") VALUES ($1, $2, $3, $4, $5, now())`, [h.id, h.hostname, h.mac, networkId, h.roleId]);
  }

  const cache = new ConfigCache({ databaseUrl: db.url, stateDir, log, pollMs: 200 });
  await cache.start({ waitForDatabaseMs: 10_000 });
  const ctx: BootdContext = {
    config: { serverAddress: '127.0.0.1', bindAddress: '127.0.0.1', interfaceName: null, dhcpPort: 0, dhcpClientPort: 0, tftpPort: 0, httpPort: 0, bootloaderDirs: [], stateDir, httpBaseUrl, enableDhcp: false, enableTftp: true, enableHttp: false },
    view: cache, events: new MemoryEventSink(), metrics: new Metrics(), log,
  };
  const tftp = await startTftpService(ctx, { ...defaultTftpTuning(), transferWorkers: 0 });
  // Asynchronous: the server runs in this process and must keep turning while curl waits.
  const fetchFromBootd = async (name: string) => (await promisify(execFile)('curl', ['-sS', '--max-time', '10', `tftp://127.0.0.1:${tftp.server.boundPort()}/${name}`], { encoding: 'utf8' })).stdout;
  try {
    const ok = await doctor.diagnoseHostById(hosts[0]!.id);
    assert.equal(ok.canBoot, true, JSON.stringify(ok.checks));
    assert.match(ok.checks.find((c) => c.key === 'address')!.detail, /pool lease from rack1 \(10\.77\.0\.100–10\.77\.0\.150\)/);
    const bios = ok.firmwares.find((f) => f.firmware === 'bios')!;
    assert.deepEqual({ file: bios.dhcpBootFile, nextServer: bios.nextServer, config: bios.config?.name }, { file: 'pxelinux.0', nextServer: '10.77.0.2', config: 'pxelinux.cfg/01-52-54-00-78-00-07' });
    assert.equal(bios.config!.text, await fetchFromBootd(bios.config!.name), 'the doctor shows what bootd serves, verbatim');
    assert.match(bios.config!.text, new RegExp(`KERNEL images/${web.imageId}/kernel`));

    const broken = await doctor.diagnoseHostById(hosts[1]!.id);
    assert.deepEqual({ canBoot: broken.canBoot, cause: broken.cause }, { canBoot: false, cause: 'role-without-image' });
    const image = broken.checks.find((c) => c.key === 'image')!;
    assert.match(image.detail, /role empty has no active image/);
    assert.match(image.hint ?? '', /Upload an image for the role/);
    const brokenBios = broken.firmwares.find((f) => f.firmware === 'bios')!;
    const served = await fetchFromBootd(brokenBios.config!.name);
    assert.equal(brokenBios.config!.text, served);
    assert.match(served, /cannot boot: role empty has no active image; local disk instead/);

    const fleet = await doctor.diagnoseFleet();
    assert.deepEqual(
      { hosts: fleet.hosts, cannotBoot: fleet.cannotBoot, groups: fleet.groups.map((g) => ({ cause: g.cause, hosts: g.hosts.map((h) => h.hostname) })) },
      { hosts: 3, cannotBoot: 2, groups: [{ cause: 'role-without-image', hosts: ['db01', 'db02'] }] },
    );
  } finally {
    await tftp.close();
    await cache.close();
  }
});
