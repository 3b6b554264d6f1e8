// The claim of a discovered machine is one rule, audited, whoever runs it: bootd matching the
// agent's serial or asset tag (boot-services/store/discovery.ts) and an operator in the console
// (server/discovery/queries.ts) both give the host the MAC, fill its empty identifiers from
// the machine's facts, refuse the same conflicts and write a `claim` row to the audit log.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import pg from 'pg';
import { DiscoveryStore } from '../store/discovery.ts';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';
import type { Actor } from '../../server/auth/actor.ts';

let tdb: TestDatabase;
let pool: pg.Pool;
let store: DiscoveryStore;
let claimDiscovered: typeof import('../../server/discovery/queries.ts').claimDiscovered;
let disconnect: () => Promise<void>;
const operator: Actor = { kind: 'user', userId: randomUUID(), username: 'alice', role: 'operator' };
const facts = (f: Record<string, unknown>) => ({ cpus: 2, memoryKib: 1024, disks: [], nics: [], ...f });

before(async () => {
  tdb = await createTestDatabase('discovery_claim');
  process.env.DATABASE_URL = tdb.url;
  pool = new pg.Pool({ connectionString: tdb.url, max: 4 });
  store = new DiscoveryStore(pool, 'bootd:site-a');
  ({ claimDiscovered } = await import('../../server/discovery/queries.ts'));
  const prisma = (await import('../../server/db/client.ts')).db();
  disconnect = () => prisma.$disconnect();
});
after(async () => {
  await disconnect?.();
  await pool?.end();
  await tdb?.drop();
});
beforeEach(async () => {
  await pool.query('DELETE FROM "DiscoveredMachine"; DELETE FROM "Host"; DELETE FROM "AuditLog"');
});

async function addHost(h: { hostname: string; mac?: string | null; serial?: string | null; assetTag?: string | null; bmcPasswordEnc?: string }): Promise<string> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO "Host" (id, hostname, mac, serial, "assetTag", "bmcPasswordEnc", "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, now()) RETURNING id`,
    [h.hostname, h.mac ?? null, h.serial ?? null, h.assetTag ?? null, h.bmcPasswordEnc ?? null],
  );
  return r.rows[0]!.id;
}

const hostRow = async (id: string) => (await pool.query('SELECT mac, serial, "assetTag" FROM "Host" WHERE id = $1', [id])).rows[0];
const audits = async () => (await pool.query('SELECT actor, action, entity, "entityId", before, after FROM "AuditLog" ORDER BY id')).rows;

test('bootd matches a serial to the host registered without a MAC, fills its asset tag and audits the claim', async () => {
  const id = await addHost({ hostname: 'pre01', serial: 'FB-0001', bmcPasswordEnc: 'ciphertext' });
  const result = await store.recordAgentDiscovery({ mac: '52:54:00:aa:00:01', ip: '10.66.0.101', networkId: null, facts: facts({ serial: 'FB-0001', assetTag: 'AT-7' }) });
  assert.deepEqual(result, { matched: { id, hostname: 'pre01', by: 'serial' }, ambiguous: false });
  assert.deepEqual(await hostRow(id), { mac: '52:54:00:aa:00:01', serial: 'FB-0001', assetTag: 'AT-7' });
  const claimed = await pool.query('SELECT "claimedById" FROM "DiscoveredMachine" WHERE mac = $1', ['52:54:00:aa:00:01']);
  assert.equal(claimed.rows[0].claimedById, id);
  const [audit, ...more] = await audits();
  assert.equal(more.length, 0);
  assert.deepEqual({ actor: audit.actor, action: audit.action, entity: audit.entity, entityId: audit.entityId }, { actor: 'bootd:site-a', action: 'claim', entity: 'host', entityId: id });
  assert.deepEqual([audit.before.mac, audit.after.mac, audit.after.assetTag], [null, '52:54:00:aa:00:01', 'AT-7']);
  assert.equal(audit.after.bmcPasswordEnc, '[redacted]', 'the audit row never holds the secret');
});

test('bootd claims nothing on a placeholder serial, on two hosts with one serial, or when the MAC is held', async () => {
  await addHost({ hostname: 'blank01', serial: 'Not Specified' });
  assert.deepEqual(await store.recordAgentDiscovery({ mac: '52:54:00:aa:00:02', ip: '10.66.0.102', networkId: null, facts: facts({ serial: 'Not Specified' }) }), { matched: null, ambiguous: false });
  await addHost({ hostname: 'twin01', serial: 'TWIN' });
  await addHost({ hostname: 'twin02', serial: 'TWIN' });
  assert.deepEqual(await store.recordAgentDiscovery({ mac: '52:54:00:aa:00:03', ip: '10.66.0.103', networkId: null, facts: facts({ serial: 'TWIN' }) }), { matched: null, ambiguous: true });
  const waiting = await addHost({ hostname: 'pre02', assetTag: 'AT-9' });
  await addHost({ hostname: 'holder', mac: '52:54:00:aa:00:04' });
  assert.deepEqual(await store.recordAgentDiscovery({ mac: '52:54:00:aa:00:04', ip: '10.66.0.104', networkId: null, facts: facts({ assetTag: 'AT-9' }) }), { matched: null, ambiguous: false });
  assert.equal((await hostRow(waiting)).mac, null);
  assert.equal((await audits()).length, 0);
  const rows = await pool.query('SELECT mac, facts->>\'serial\' AS serial, "claimedById" FROM "DiscoveredMachine" ORDER BY mac');
  assert.deepEqual(rows.rows.map((r) => [r.mac, r.claimedById]), [['52:54:00:aa:00:02', null], ['52:54:00:aa:00:03', null], ['52:54:00:aa:00:04', null]], 'every report is on the discovery list');
});

test('the console\'s claim follows the same rule and writes the same audit row, naming the operator', async () => {
  await store.recordAgentDiscovery({ mac: '52:54:00:aa:00:05', ip: '10.66.0.105', networkId: null, facts: facts({ serial: 'S-5', assetTag: 'Not Specified' }) });
  const id = await addHost({ hostname: 'web05' });
  const host = await claimDiscovered(operator, '52-54-00-AA-00-05', { hostId: id });
  assert.deepEqual([host.mac, host.serial, host.assetTag], ['52:54:00:aa:00:05', 'S-5', null], 'a placeholder asset tag is not copied');
  const [audit] = await audits();
  assert.deepEqual({ actor: audit.actor, action: audit.action, entity: audit.entity, entityId: audit.entityId }, { actor: 'alice', action: 'claim', entity: 'host', entityId: id });

  const other = await addHost({ hostname: 'web06' });
  await assert.rejects(claimDiscovered(operator, '52:54:00:aa:00:05', { hostId: other }), (err: { field?: string; message: string }) => {
    assert.equal(err.field, 'mac');
    assert.match(err.message, /already claimed by another host/);
    return true;
  });
});
