// Pool leases in a real, migrated Postgres: durable bindings, group commit, and two bootd
// sharing one Lease table never handing out one address twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../server/db/testing.ts';
import { Metrics } from '../../metrics.ts';
import { LeaseTable } from '../../store/dhcp-leases.ts';
import { PgLeaseStore } from '../pg-lease-store.ts';
import { labNetwork } from '../testdata/lab-view.ts';

const skip = process.env.FLEETBOOT_TEST_DATABASE_URL ? false : 'FLEETBOOT_TEST_DATABASE_URL not set (run through scripts/with-test-db.sh)';
if (skip) console.log(`# skipped: ${skip}`);
const log = { info() {}, warn() {}, error() {} };
let db: TestDatabase;
let pool: pg.Pool;

async function insertNetwork(over: Partial<ReturnType<typeof labNetwork>> = {}) {
  const n = labNetwork(over);
  await pool.query(
    `INSERT INTO "Network" (id, name, cidr, "poolStart", "poolEnd", "leaseSeconds", "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, now())`,
    [n.id, n.name, n.cidr, n.poolStart, n.poolEnd, n.leaseSeconds],
  );
  return n;
}

before(async () => {
  if (skip) return;
  db = await createTestDatabase('dhcp_leases');
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => undefined);
});
after(async () => {
  if (skip) return;
  await pool.end();
  await db.drop();
});

test('concurrent bindings are group-committed and durable across a restart', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.10', poolEnd: '10.66.0.200' });
  const store = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const now = Date.now();
  const macs = Array.from({ length: 60 }, (_, i) => `52:54:00:10:00:${i.toString(16).padStart(2, '0')}`);
  const results = await Promise.all(macs.map(async (mac) => {
    const offer = store.offer({ network, mac, requestedIp: null, holdSeconds: 60, nowMs: now, isAssignable: () => true });
    assert.equal(offer.kind, 'offered');
    return store.bind({ network, mac, ip: (offer as { ip: string }).ip, leaseSeconds: 3600, clientId: null, hostname: 'h', nowMs: now });
  }));
  assert.ok(results.every((r) => r.kind === 'bound'));
  const rows = await pool.query<{ n: string; distinct_ips: string }>(`SELECT count(*)::text AS n, count(DISTINCT ip)::text AS distinct_ips FROM "Lease" WHERE state = 'bound'`);
  assert.deepEqual(rows.rows[0], { n: '60', distinct_ips: '60' });
  // A restarted bootd knows every lease: the same MAC is offered the same address.
  const again = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const first = results[0] as { ip: string };
  assert.deepEqual(again.offer({ network, mac: macs[0]!, requestedIp: null, holdSeconds: 60, nowMs: now, isAssignable: () => true }), { kind: 'offered', ip: first.ip });
  const expires = await pool.query<{ ok: boolean }>(`SELECT abs(extract(epoch FROM "expiresAt") - extract(epoch FROM (now() AT TIME ZONE 'UTC')) - 3600) < 60 AS ok FROM "Lease" LIMIT 1`);
  assert.equal(expires.rows[0]?.ok, true, 'expiresAt is not now + lease time in UTC');
});

test('a client repeating its REQUEST within a quarter of its lease reuses the committed row: no write, the time left', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.110' });
  const metrics = new Metrics();
  const store = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics });
  const t0 = Date.now();
  const req = { network, mac: '52:54:00:15:00:01', ip: '10.66.0.100', leaseSeconds: 600, clientId: null, hostname: null, mayReuse: true };
  const first = await store.bind({ ...req, nowMs: t0 });
  const written = await pool.query<{ at: string }>(`SELECT "updatedAt"::text AS at FROM "Lease" WHERE mac = $1`, [req.mac]);
  const again = await store.bind({ ...req, nowMs: t0 + 60_000 });
  assert.deepEqual(again, first, 'answered from the committed binding, with its expiry');
  const after = await pool.query<{ at: string }>(`SELECT "updatedAt"::text AS at FROM "Lease" WHERE mac = $1`, [req.mac]);
  assert.deepEqual(after.rows, written.rows, 'the row was not written again');
  store.flushMetrics();
  assert.equal(metrics.get('fleetboot_dhcp_leases_reused_total'), 1);
  // A new hostname is a change worth writing, whenever it comes.
  const renamed = await store.bind({ ...req, hostname: 'web07', nowMs: t0 + 60_000 });
  assert.equal(renamed.kind === 'bound' && renamed.expiresAtMs, t0 + 60_000 + 600_000);
  const stored = await pool.query<{ hostname: string }>(`SELECT hostname FROM "Lease" WHERE mac = $1`, [req.mac]);
  assert.equal(stored.rows[0]?.hostname, 'web07');
  // Reuse off: every binding is written.
  const always = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics(), reuseFraction: 0 });
  const rewritten = await always.bind({ ...req, hostname: 'web07', nowMs: t0 + 61_000 });
  assert.equal(rewritten.kind === 'bound' && rewritten.expiresAtMs, t0 + 61_000 + 600_000);
  await Promise.all([store.close(), always.close()]);
});

test('two bootd racing for the last address: one binds, the other is told it is taken', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.100' });
  const a = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const b = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const now = Date.now();
  const offerA = a.offer({ network, mac: '52:54:00:20:00:0a', requestedIp: null, holdSeconds: 60, nowMs: now, isAssignable: () => true });
  const offerB = b.offer({ network, mac: '52:54:00:20:00:0b', requestedIp: null, holdSeconds: 60, nowMs: now, isAssignable: () => true });
  assert.deepEqual(offerA, offerB, 'each bootd alone offers the last address');
  const [ra, rb] = await Promise.all([
    a.bind({ network, mac: '52:54:00:20:00:0a', ip: '10.66.0.100', leaseSeconds: 600, clientId: null, hostname: null, nowMs: now }),
    b.bind({ network, mac: '52:54:00:20:00:0b', ip: '10.66.0.100', leaseSeconds: 600, clientId: null, hostname: null, nowMs: now }),
  ]);
  assert.deepEqual([ra!.kind, rb!.kind].sort(), ['bound', 'taken']);
  const rows = await pool.query<{ mac: string }>(`SELECT mac FROM "Lease" WHERE ip = '10.66.0.100'`);
  assert.equal(rows.rows.length, 1);
});

test('an expired lease of another MAC is reclaimed; a declined address is quarantined in the table', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.101' });
  const store = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const t0 = Date.now();
  assert.equal((await store.bind({ network, mac: '52:54:00:30:00:01', ip: '10.66.0.100', leaseSeconds: 1, clientId: null, hostname: null, nowMs: t0 - 10_000 })).kind, 'bound');
  const offer = store.offer({ network, mac: '52:54:00:30:00:02', requestedIp: '10.66.0.100', holdSeconds: 60, nowMs: t0, isAssignable: () => true });
  assert.deepEqual(offer, { kind: 'offered', ip: '10.66.0.100' });
  assert.equal((await store.bind({ network, mac: '52:54:00:30:00:02', ip: '10.66.0.100', leaseSeconds: 600, clientId: null, hostname: null, nowMs: t0 })).kind, 'bound');
  store.decline(network.id, '52:54:00:30:00:02', '10.66.0.100', t0);
  await store.close();
  const rows = await pool.query<{ mac: string; state: string }>(`SELECT mac, state FROM "Lease" WHERE ip = '10.66.0.100'`);
  assert.deepEqual(rows.rows, [{ mac: '52:54:00:30:00:02', state: 'declined' }], 'the quarantine row keeps the real MAC');
  const fresh = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  assert.deepEqual(fresh.offer({ network, mac: '52:54:00:30:00:03', requestedIp: '10.66.0.100', holdSeconds: 60, nowMs: t0, isAssignable: () => true }), { kind: 'offered', ip: '10.66.0.101' });
  // The MAC that declined takes another address of the same network: its quarantine row stays.
  const later = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  assert.deepEqual(later.offer({ network, mac: '52:54:00:30:00:02', requestedIp: null, holdSeconds: 60, nowMs: t0, isAssignable: () => true }), { kind: 'offered', ip: '10.66.0.101' });
  assert.equal((await later.bind({ network, mac: '52:54:00:30:00:02', ip: '10.66.0.101', leaseSeconds: 600, clientId: null, hostname: null, nowMs: t0 })).kind, 'bound');
  const both = await pool.query<{ ip: string; state: string }>(`SELECT ip, state::text FROM "Lease" WHERE mac = '52:54:00:30:00:02' ORDER BY ip`);
  assert.deepEqual(both.rows, [{ ip: '10.66.0.100', state: 'declined' }, { ip: '10.66.0.101', state: 'bound' }]);
});

test('a bootd learns of another bootd\'s lease from the periodic refresh, before any collision; a reload keeps its OFFER holds', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.102' });
  const a = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const b = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const now = Date.now();
  assert.equal((await a.bind({ network, mac: '52:54:00:40:00:0a', ip: '10.66.0.100', leaseSeconds: 600, clientId: null, hostname: null, nowMs: now })).kind, 'bound');
  assert.equal(b.findLeaseByIp(network.id, '10.66.0.100'), null, 'b has not read yet');
  await b.refresh();
  assert.equal(b.findLeaseByIp(network.id, '10.66.0.100')?.mac, '52:54:00:40:00:0a');
  assert.deepEqual(b.offer({ network, mac: '52:54:00:40:00:0b', requestedIp: '10.66.0.100', holdSeconds: 60, nowMs: now, isAssignable: () => true }), { kind: 'offered', ip: '10.66.0.101' });
  // b's hold on .101 lives in memory only: a full reload must not forget it.
  await b.reload(null);
  assert.equal(b.findLeaseByIp(network.id, '10.66.0.101')?.state, 'offered');
  assert.deepEqual(b.offer({ network, mac: '52:54:00:40:00:0c', requestedIp: null, holdSeconds: 60, nowMs: now, isAssignable: () => true }), { kind: 'offered', ip: '10.66.0.102' });
  await Promise.all([a.close(), b.close()]);
});

test('the DHCP discovery writer upserts DiscoveredMachine without touching the agent\'s facts', { skip }, async () => {
  const { DiscoveryWriter } = await import('../discovery-writer.ts');
  const { DiscoveryStore } = await import('../../store/discovery.ts');
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork();
  await pool.query(`DELETE FROM "DiscoveredMachine"`);
  await pool.query(`INSERT INTO "DiscoveredMachine" (mac, "networkId", ip, facts, "firstSeenAt", "lastSeenAt")
    VALUES ('52:54:00:50:00:01', $1, '10.66.0.100', '{"serial":"S1"}', '2026-01-01', '2026-01-01')`, [network.id]);
  const w = new DiscoveryWriter({ table: new DiscoveryStore(pool, 'bootd'), log, metrics: new Metrics(), flushIntervalMs: 60_000 });
  w.noteUnknownMachine('52:54:00:50:00:01', network.id, null);
  w.noteUnknownMachine('52:54:00:50:00:02', network.id, '10.66.0.101');
  w.noteUnknownMachine('52:54:00:50:00:03', '00000000-0000-4000-8000-00000000dead', null); // network deleted meanwhile
  await w.flush();
  assert.equal(w.waiting(), 0);
  const rows = await pool.query<{ mac: string; ip: string | null; networkId: string | null; facts: unknown; first: string; recent: boolean }>(
    `SELECT mac, ip, "networkId", facts, "firstSeenAt"::date::text AS first, "lastSeenAt" > now() AT TIME ZONE 'UTC' - interval '1 minute' AS recent
     FROM "DiscoveredMachine" ORDER BY mac`);
  assert.deepEqual(rows.rows, [
    { mac: '52:54:00:50:00:01', ip: '10.66.0.100', networkId: network.id, facts: { serial: 'S1' }, first: '2026-01-01', recent: true },
    { mac: '52:54:00:50:00:02', ip: '10.66.0.101', networkId: network.id, facts: {}, first: rows.rows[1]!.first, recent: true },
    { mac: '52:54:00:50:00:03', ip: null, networkId: null, facts: {}, first: rows.rows[2]!.first, recent: true },
  ]);
  await w.close();
});

test('the incremental read moves forward through more changed rows than one read takes', { skip }, async () => {
  await pool.query('DELETE FROM "Network"');
  const network = await insertNetwork({ poolStart: '10.66.0.100', poolEnd: '10.66.0.120' });
  const writer = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics() });
  const now = Date.now();
  assert.equal((await writer.bind({ network, mac: '52:54:00:60:00:ff', ip: '10.66.0.120', leaseSeconds: 600, clientId: null, hostname: null, nowMs: now })).kind, 'bound');
  // The reader has read the table once (its watermark is set): from now on it reads increments.
  const reader = await PgLeaseStore.open({ table: new LeaseTable(pool), log, metrics: new Metrics(), refreshBatchRows: 2 });
  for (let i = 0; i < 7; i++) {
    const r = await writer.bind({ network, mac: `52:54:00:60:00:0${i}`, ip: `10.66.0.10${i}`, leaseSeconds: 600, clientId: null, hostname: null, nowMs: now });
    assert.equal(r.kind, 'bound');
    await new Promise((res) => setTimeout(res, 5)); // distinct "updatedAt"
  }
  for (let i = 0; i < 10; i++) await reader.refresh();
  for (let i = 0; i < 7; i++) assert.equal(reader.findLeaseByIp(network.id, `10.66.0.10${i}`)?.mac, `52:54:00:60:00:0${i}`, `row ${i} never read`);
  await Promise.all([writer.close(), reader.close()]);
});
