// bootd's view follows the database: a change applies without a restart; a bootd started while
// the database is unreachable serves the last snapshot at once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ConfigCache } from '../config-cache.ts';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let db: TestDatabase;
let client: pg.Client;
const dirs: string[] = [];

before(async () => {
  db = await createTestDatabase('config_cache');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await db.drop();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function stateDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cache-'));
  dirs.push(d);
  return d;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a host added, changed and deleted in the database shows in the view without a restart', async () => {
  const cache = new ConfigCache({ databaseUrl: db.url, stateDir: stateDir(), log: quiet, pollMs: 60_000 });
  await cache.start();
  try {
    const net = await client.query(`INSERT INTO "Network" (id, name, cidr, "updatedAt") VALUES (gen_random_uuid(), 'lab', '10.66.0.0/24', now()) RETURNING id`);
    const netId = net.rows[0].id as string;
    await client.query(`INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "updatedAt") VALUES (gen_random_uuid(), 'web-01', 'aa:bb:cc:00:00:01', '10.66.0.10', $1, now())`, [netId]);
    // NOTIFY wakes the cache: well within a second, far under the 60 s poll.
    await until(() => cache.findHostByMac('aa:bb:cc:00:00:01')?.ip === '10.66.0.10', 2000);
    assert.equal(cache.findNetworkContaining('10.66.0.77')?.name, 'lab');
    await client.query(`UPDATE "Host" SET ip = '10.66.0.11' WHERE hostname = 'web-01'`);
    await until(() => cache.findHostByMac('aa:bb:cc:00:00:01')?.ip === '10.66.0.11', 2000);
    assert.equal(cache.findHostByIp('10.66.0.10'), null, 'the old address no longer maps to the host');
    await client.query(`DELETE FROM "Host" WHERE hostname = 'web-01'`);
    await until(() => cache.findHostByMac('aa:bb:cc:00:00:01') === null, 2000);
  } finally {
    await cache.close();
  }
});

test('a change whose notification is lost is still picked up by the poll', async () => {
  const cache = new ConfigCache({ databaseUrl: db.url, stateDir: stateDir(), log: quiet, pollMs: 200 });
  await cache.start();
  try {
    // Written in a way that fires no NOTIFY: the trigger is disabled for this one statement's session.
    await client.query('BEGIN');
    await client.query(`ALTER TABLE "Host" DISABLE TRIGGER host_notify`);
    await client.query(`INSERT INTO "Host" (id, hostname, mac, "updatedAt") VALUES (gen_random_uuid(), 'quiet-01', 'aa:bb:cc:00:00:02', now())`);
    await client.query(`ALTER TABLE "Host" ENABLE TRIGGER host_notify`);
    await client.query('COMMIT');
    await until(() => cache.findHostByMac('aa:bb:cc:00:00:02') !== null, 3000);
  } finally {
    await cache.close();
  }
});

test('started while the database is unreachable, the view serves its snapshot', async () => {
  const dir = stateDir();
  await client.query(`INSERT INTO "Host" (id, hostname, mac, ip, "updatedAt") VALUES (gen_random_uuid(), 'db-07', 'aa:bb:cc:00:00:07', '10.66.0.70', now())`);
  const first = new ConfigCache({ databaseUrl: db.url, stateDir: dir, log: quiet });
  await first.start();
  assert.ok(first.findHostByMac('aa:bb:cc:00:00:07'));
  await first.close();
  const offline = new ConfigCache({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none', stateDir: dir, log: quiet });
  const t0 = Date.now();
  await offline.start();
  try {
    assert.ok(Date.now() - t0 < 1000, 'serves at once, without waiting for the database');
    assert.equal(offline.live, false);
    assert.equal(offline.findHostByMac('aa:bb:cc:00:00:07')?.hostname, 'db-07');
  } finally {
    await offline.close();
  }
});

test('a named bootd holds only the networks assigned to it, their hosts and hosts on no network; assignments follow the database', async () => {
  const servers = await client.query(`INSERT INTO "BootServer" (id, name, site, "credentialHash", "credentialPrefix") VALUES
    (gen_random_uuid(), 'site-a-1', 'a', 'hash-a', 'fbb_a'), (gen_random_uuid(), 'site-b-1', 'b', 'hash-b', 'fbb_b') RETURNING id, name`);
  const [a, b] = [servers.rows.find((r) => r.name === 'site-a-1').id as string, servers.rows.find((r) => r.name === 'site-b-1').id as string];
  const nets = await client.query(`INSERT INTO "Network" (id, name, cidr, "bootServerId", "updatedAt") VALUES
    (gen_random_uuid(), 'net-a', '10.71.0.0/24', $1, now()), (gen_random_uuid(), 'net-b', '10.72.0.0/24', $2, now()) RETURNING id, name`, [a, b]);
  const [netA, netB] = [nets.rows.find((r) => r.name === 'net-a').id as string, nets.rows.find((r) => r.name === 'net-b').id as string];
  await client.query(`INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "updatedAt") VALUES
    (gen_random_uuid(), 'a-01', 'aa:bb:cc:00:0a:01', '10.71.0.10', $1, now()), (gen_random_uuid(), 'b-01', 'aa:bb:cc:00:0b:01', '10.72.0.10', $2, now()),
    (gen_random_uuid(), 'nowhere-01', 'aa:bb:cc:00:0c:01', NULL, NULL, now())`, [netA, netB]);
  const dir = stateDir();
  const cache = new ConfigCache({ databaseUrl: db.url, stateDir: dir, log: quiet, pollMs: 60_000, bootServerName: 'site-a-1' });
  await cache.start();
  try {
    assert.deepEqual(cache.networks().map((n) => [n.name, n.servedBy]), [['net-a', ['site-a-1']]]);
    assert.ok(cache.findHostByMac('aa:bb:cc:00:0a:01'), 'its network\'s host');
    assert.ok(cache.findHostByMac('aa:bb:cc:00:0c:01'), 'a host on no network');
    assert.equal(cache.findHostByMac('aa:bb:cc:00:0b:01'), null, 'site b\'s host');
    assert.equal(cache.findNetworkContaining('10.72.0.5'), null, 'site b\'s network');

    // A host moved onto the other site's network leaves; net-b given a second server (us) comes with its hosts.
    await client.query(`UPDATE "Host" SET "networkId" = $1, ip = '10.72.0.11' WHERE hostname = 'a-01'`, [netB]);
    await until(() => cache.findHostByMac('aa:bb:cc:00:0a:01') === null, 2000);
    await client.query(`UPDATE "Network" SET "peerBootServerId" = $1 WHERE id = $2`, [a, netB]);
    await until(() => cache.findHostByMac('aa:bb:cc:00:0b:01') !== null, 2000);
    assert.deepEqual(cache.networks().map((n) => n.name).sort(), ['net-a', 'net-b']);
    assert.deepEqual(cache.findNetworkById(netB)?.servedBy, ['site-a-1', 'site-b-1']);
    // Taken away again: its hosts leave with it.
    await client.query(`UPDATE "Network" SET "peerBootServerId" = NULL WHERE id = $1`, [netB]);
    await until(() => cache.findHostByMac('aa:bb:cc:00:0b:01') === null, 2000);
  } finally {
    await cache.close();
  }
  // Its snapshot is not served by a bootd of another name (nor an unnamed one).
  const other = new ConfigCache({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none', stateDir: dir, log: quiet, bootServerName: 'site-b-1' });
  await other.start({ waitForDatabaseMs: 100 });
  try {
    assert.equal(other.hostCount(), 0);
  } finally {
    await other.close();
  }
});
