// Boot events reach Postgres in batches; while the database is away they go to the spool on
// disk and are replayed, exactly once, when it is back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { EventWriter } from '../events/event-writer.ts';
import { EventStore } from '../store/events.ts';
import { Metrics } from '../metrics.ts';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let db: TestDatabase;
let client: pg.Client;
before(async () => {
  db = await createTestDatabase('event_writer');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await db.drop();
});

// The events recorded through the writer; bootd's own `host-state` events (host-state.ts) aside.
const count = async () => Number((await client.query(`SELECT count(*) FROM "BootEvent" WHERE type <> 'host-state'`)).rows[0].count);

test('events are written in batches and the host is marked seen', async () => {
  const host = await client.query(`INSERT INTO "Host" (id, hostname, mac, "updatedAt") VALUES (gen_random_uuid(), 'web-01', 'aa:bb:cc:00:00:01', now()) RETURNING id`);
  const pool = new pg.Pool({ connectionString: db.url });
  const writer = new EventWriter({ store: new EventStore(pool), stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ev-')), log: quiet, metrics: new Metrics() });
  const before = await count();
  for (let i = 0; i < 500; i++) writer.record({ hostId: host.rows[0].id, mac: 'aa:bb:cc:00:00:01', source: 'dhcp', type: 'discover', detail: { i } });
  await writer.close();
  await pool.end();
  assert.equal((await count()) - before, 500);
  const seen = await client.query(`SELECT "lastSeenAt" FROM "Host" WHERE hostname = 'web-01'`);
  assert.ok(seen.rows[0].lastSeenAt instanceof Date);
});

test('a database outage spools events to disk and they are replayed once it is back', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ev-'));
  const metrics = new Metrics();
  const deadPool = new pg.Pool({ connectionString: 'postgresql://nobody:nothing@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
  const down = new EventWriter({ store: new EventStore(deadPool), stateDir: dir, log: quiet, metrics });
  for (let i = 0; i < 50; i++) down.record({ mac: 'aa:bb:cc:00:00:09', source: 'tftp', type: 'transfer-start', detail: { i } });
  await down.close();
  await deadPool.end();
  assert.equal(down.pending(), 50, 'all 50 events are in the spool');
  assert.equal(metrics.get('fleetboot_event_batches_total', { result: 'spooled' }), 1);

  const spoolFile = path.join(dir, 'events-spool.jsonl');
  const spoolCopy = fs.readFileSync(spoolFile);
  const before = await count();
  const pool = new pg.Pool({ connectionString: db.url });
  const up = new EventWriter({ store: new EventStore(pool), stateDir: dir, log: quiet, metrics: new Metrics() });
  await up.flush();
  assert.equal((await count()) - before, 50);
  assert.equal(up.pending(), 0);
  // A crash after the commit but before the spool was removed replays it again: the events
  // carry their UUIDs, so nothing is duplicated.
  fs.writeFileSync(spoolFile, spoolCopy);
  await up.flush();
  assert.equal((await count()) - before, 50);
  assert.equal(up.pending(), 0);
  await up.close();
  await pool.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an event the database refuses for good is set aside; the events around it are written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ev-'));
  const pool = new pg.Pool({ connectionString: db.url });
  const metrics = new Metrics();
  const writer = new EventWriter({ store: new EventStore(pool), stateDir: dir, log: quiet, metrics });
  const before = await count();
  for (let i = 0; i < 20; i++) {
    // bytesTotal past bigint's range: PostgreSQL answers "out of range" (22003) whatever the retry.
    writer.record({ mac: 'aa:bb:cc:00:00:21', source: 'http', type: i === 7 ? 'poison' : 'progress', bytesTotal: i === 7 ? 1e30 : 100, bytesDone: i });
  }
  await writer.close();
  await pool.end();
  assert.equal((await count()) - before, 19, 'the 19 good events are in the database');
  assert.equal(writer.pending(), 0, 'nothing is left in the spool to block later batches');
  const rejected = fs.readFileSync(path.join(dir, 'events-rejected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rejected.map((r) => r.event.type), ['poison']);
  assert.equal(metrics.get('fleetboot_events_rejected_total'), 1);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a NUL in what a client sent (a DHCP option, an agent fact) is stored as U+FFFD, not refused', async () => {
  const pool = new pg.Pool({ connectionString: db.url });
  const writer = new EventWriter({ store: new EventStore(pool), stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ev-')), log: quiet, metrics: new Metrics() });
  writer.record({ mac: 'aa:bb:cc:00:00:22', source: 'dhcp', type: 'discover', detail: { vendorClass: 'PXEClient\u0000junk', ['key\u0000']: 1 } });
  await writer.close();
  await pool.end();
  const row = await client.query(`SELECT detail FROM "BootEvent" WHERE mac = 'aa:bb:cc:00:00:22'`);
  assert.deepEqual(row.rows[0].detail, { vendorClass: 'PXEClient\uFFFDjunk', ['key\uFFFD']: 1 });
});

test('an event recorded after close() returned is spooled, and written by the next writer', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ev-'));
  const metrics = new Metrics();
  const pool = new pg.Pool({ connectionString: db.url });
  const writer = new EventWriter({ store: new EventStore(pool), stateDir: dir, log: quiet, metrics });
  const before = await count();
  writer.record({ mac: 'aa:bb:cc:00:00:23', source: 'http', type: 'boot-config', detail: { n: 1 } });
  await writer.close();
  // A caller whose answer came late (a lease lookup bootd's stop did not wait for).
  writer.record({ mac: 'aa:bb:cc:00:00:23', source: 'http', type: 'boot-config', detail: { n: 2 } });
  assert.equal((await count()) - before, 1);
  assert.equal(writer.pending(), 1, 'the late event is in the spool, not dropped');
  assert.equal(metrics.get('fleetboot_events_late_spooled_total'), 1);
  const next = new EventWriter({ store: new EventStore(pool), stateDir: dir, log: quiet, metrics: new Metrics() });
  await next.close();
  await pool.end();
  const rows = await client.query(`SELECT detail->>'n' AS n FROM "BootEvent" WHERE mac = 'aa:bb:cc:00:00:23' ORDER BY seq`);
  assert.deepEqual(rows.rows.map((r) => r.n), ['1', '2']);
  fs.rmSync(dir, { recursive: true, force: true });
});
