// The per-host pxelinux config follows the database with no restart: bootd's Postgres-backed
// config cache (change log + NOTIFY) feeds the TFTP service; moving the host to another role
// (the UPDATE the hosts API issues) changes the next answer curl gets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../server/db/testing.ts';
import { ConfigCache } from '../../config-cache.ts';
import { MemoryEventSink } from '../../events/event-sink.ts';
import { Metrics } from '../../metrics.ts';
import type { BootdContext } from '../../bootd-context.ts';
import { startTftpService, defaultTftpTuning } from '../service.ts';

const skip = process.env.FLEETBOOT_TEST_DATABASE_URL ? false : 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';
if (skip) console.log(`# skipped: ${skip}`);
const log = { info() {}, warn() {}, error() {} };
const mac = '52:54:00:77:00:01';
let db: TestDatabase;
let pool: pg.Pool;
let stateDir: string;

before(async () => {
  if (skip) return;
  db = await createTestDatabase('tftp_config');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'fb-tftp-cache-'));
});
after(async () => {
  if (skip) return;
  await pool.end();
  await db.drop();
  await rm(stateDir, { recursive: true, force: true });
});

async function insertRoleWithImage(name: string, template: string): Promise<{ roleId: string; imageId: string }> {
  const roleId = randomUUID();
  const imageId = randomUUID();
  const sha = (kind: string) => `${name}-${kind}`.padEnd(64, '0');
  await pool.query(`INSERT INTO "Role" (id, name, "cmdlineTemplate", "updatedAt") VALUES ($1, $2, $3, now())`, [roleId, name, template]);
  for (const kind of ['kernel', 'initrd']) await pool.query(`INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 1, $2)`, [sha(kind), `/srv/${name}/${kind}`]);
  await pool.query(`INSERT INTO "Image" (id, "roleId", version, status, "kernelSha256", "initrdSha256", "updatedAt") VALUES ($1, $2, '1', 'active', $3, $4, now())`, [imageId, roleId, sha('kernel'), sha('initrd')]);
  await pool.query(`UPDATE "Role" SET "activeImageId" = $1 WHERE id = $2`, [imageId, roleId]);
  return { roleId, imageId };
}

test('changing the host\'s role changes the next pxelinux config, no restart', { skip, timeout: 60_000 }, async () => {
  const web = await insertRoleWithImage('web', 'fleetboot.role={role} fleetboot.host={hostname}');
  const dbRole = await insertRoleWithImage('db', 'root=/dev/nfs fleetboot.role={role}');
  const hostId = randomUUID();
  await pool.query(`INSERT INTO "Host" (id, hostname, mac, "roleId", "updatedAt") VALUES ($1, 'node07', $2, $3, now())`, [hostId, mac, web.roleId]);

  const cache = new ConfigCache({ databaseUrl: db.url, stateDir, log, pollMs: 200 });
  await cache.start({ waitForDatabaseMs: 10_000 });
  const ctx: BootdContext = {
    config: { serverAddress: '127.0.0.1', bindAddress: '127.0.0.1', interfaceName: null, dhcpPort: 0, dhcpClientPort: 0, tftpPort: 0, httpPort: 0, bootloaderDirs: [], stateDir, httpBaseUrl: 'http://127.0.0.1:8080', enableDhcp: false, enableTftp: true, enableHttp: false },
    view: cache, events: new MemoryEventSink(), metrics: new Metrics(), log,
  };
  const tftp = await startTftpService(ctx, { ...defaultTftpTuning(), transferWorkers: 0 });
  // Asynchronous: the server runs in this process and must keep turning while curl waits.
  const fetchConfig = async () => (await promisify(execFile)('curl', ['-sS', '--max-time', '10', `tftp://127.0.0.1:${tftp.server.boundPort()}/pxelinux.cfg/01-${mac.replace(/:/g, '-')}`], { encoding: 'utf8' })).stdout;
  try {
    const first = await fetchConfig();
    assert.match(first, new RegExp(`KERNEL images/${web.imageId}/kernel`));
    assert.match(first, /APPEND fleetboot\.role=web fleetboot\.host=node07/);

    await pool.query(`UPDATE "Host" SET "roleId" = $1, "updatedAt" = now() WHERE id = $2`, [dbRole.roleId, hostId]);
    let next = first;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && next === first; ) {
      await new Promise((r) => setTimeout(r, 100));
      next = await fetchConfig();
    }
    assert.match(next, new RegExp(`KERNEL images/${dbRole.imageId}/kernel`));
    assert.match(next, /APPEND root=\/dev\/nfs fleetboot\.role=db/);
  } finally {
    await tftp.close();
    await cache.close();
  }
});
