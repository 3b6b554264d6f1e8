// bootd's view, the schema and the change trigger kept in step (store/view-rows.ts): every
// mapping reads a real row of its table, with every field of its view type; the "Host" change
// trigger compares exactly the mapped columns bootd must follow. A migration that renames a
// column, or a view field added without its column in the trigger, fails here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { hostColumnsFollowed, hostMapping, hostSql, imageMapping, imageSql, mapRow, networkMapping, networkSql, roleMapping, roleSql } from '../store/view-rows.ts';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';

let db: TestDatabase;
let client: pg.Client;

before(async () => {
  db = await createTestDatabase('view_rows');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await db.drop();
});

test('the Host change trigger compares exactly the host columns bootd\'s view follows', async () => {
  const def = await client.query<{ def: string }>(
    `SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t WHERE t.tgrelid = '"Host"'::regclass AND t.tgname = 'host_change_update'`);
  const text = def.rows[0]?.def;
  assert.ok(text, 'the trigger host_change_update exists');
  const compared = [...new Set([...text.matchAll(/\bold\."?([A-Za-z0-9]+)"?/gi)].map((m) => m[1]!))];
  assert.deepEqual(compared.sort(), [...hostColumnsFollowed].sort());
});

test('every mapping reads a real row of its table, every field of its view', async () => {
  const sha = (c: string) => c.repeat(64);
  await client.query(`INSERT INTO "Artifact" (sha256, "sizeBytes", path) VALUES ($1, 5000000000, 'artifacts/k'), ($2, 42, 'artifacts/i')`, [sha('a'), sha('b')]);
  const net = await client.query<{ id: string }>(
    `INSERT INTO "Network" (id, name, cidr, gateway, "dnsServers", "poolStart", "poolEnd", "leaseSeconds", "relayAddresses", "updatedAt")
     VALUES (gen_random_uuid(), 'lab', '10.66.0.0/24', '10.66.0.1', ARRAY['10.66.0.1'], '10.66.0.100', '10.66.0.199', 600, ARRAY['10.66.0.2'], now()) RETURNING id`);
  const role = await client.query<{ id: string }>(`INSERT INTO "Role" (id, name, "updatedAt") VALUES (gen_random_uuid(), 'web', now()) RETURNING id`);
  const image = await client.query<{ id: string }>(
    `INSERT INTO "Image" (id, "roleId", version, status, "kernelSha256", "initrdSha256", "updatedAt") VALUES (gen_random_uuid(), $1, '1', 'ready', $2, $3, now()) RETURNING id`,
    [role.rows[0]!.id, sha('a'), sha('b')]);
  const host = await client.query<{ id: string }>(
    `INSERT INTO "Host" (id, hostname, mac, ip, "networkId", "roleId", "bootOverride", "imageOverrideId", "updatedAt")
     VALUES (gen_random_uuid(), 'web01', 'aa:bb:cc:00:00:01', '10.66.0.10', $1, $2, 'image', $3, now()) RETURNING id`,
    [net.rows[0]!.id, role.rows[0]!.id, image.rows[0]!.id]);

  const [n] = (await client.query(networkSql)).rows.map((r) => mapRow(networkMapping, r));
  assert.deepEqual([n!.name, n!.dnsServers, n!.leaseSeconds, n!.relayAddresses, n!.discoveryEnabled, n!.servedBy], ['lab', ['10.66.0.1'], 600, ['10.66.0.2'], true, []]);
  const [r] = (await client.query(roleSql)).rows.map((row) => mapRow(roleMapping, row));
  assert.deepEqual([r!.name, r!.rootMode, r!.bootLoader, r!.uefiBootChain, r!.previousImageId], ['web', 'ram', 'pxelinux', 'ipxe', null]);
  const [i] = (await client.query(imageSql)).rows.map((row) => mapRow(imageMapping, row));
  assert.deepEqual([i!.status, i!.kernel, i!.initrd?.sizeBytes, i!.rootfs], ['ready', { sha256: sha('a'), sizeBytes: 5_000_000_000, path: 'artifacts/k' }, 42, null]);
  const [h] = (await client.query(hostSql)).rows.map((row) => mapRow(hostMapping, row));
  assert.deepEqual(h, {
    id: host.rows[0]!.id, hostname: 'web01', mac: 'aa:bb:cc:00:00:01', ip: '10.66.0.10', ipv6: null, networkId: net.rows[0]!.id, roleId: role.rows[0]!.id,
    spare: false, bootEnabled: true, imageOverrideId: image.rows[0]!.id, bootOverride: 'image', state: 'registered',
  });
});

test('a row that doesn\'t fit its view fails naming the column', () => {
  const row = { id: 'h-1', hostname: 'web01', mac: null, ip: null, ipv6: null, networkId: null, roleId: null, spare: 'no', bootEnabled: true, imageOverrideId: null, bootOverride: null, state: 'up' };
  assert.throws(() => mapRow(hostMapping, row), /column "spare": expected a boolean, got string/);
  assert.throws(() => mapRow(hostMapping, { ...row, spare: false, bootOverride: 'pxe' }), /column "bootOverride": expected rescue \| memtest \| localdisk \| image/);
  const { hostname: _gone, ...renamed } = row;
  assert.throws(() => mapRow(hostMapping, { ...renamed, spare: false }), /column "hostname": expected text, got undefined/);
});
