// bootd stopped right after it answered requests whose events still wait for the client's lease
// lookup (client-hosts.ts: an HTTP client that is no reservation is looked up in the Lease table
// before its event is recorded). Those events must still reach the database before bootd exits,
// not be recorded into a writer that already closed. The Lease table is held locked so the
// lookup is in flight when SIGTERM arrives, as a slow first query does on a loaded machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';
import { until } from '../../server/testing/until.ts';
import { startLoopbackBootd } from '../testing/bootd-process.ts';

const mac = '52:54:00:14:07:01';
const requests = 20;
let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('stop_flush');
});
after(() => db.drop());

test('events of requests answered just before SIGTERM, still waiting for a lease lookup, reach the database', async () => {
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const locker = new pg.Client({ connectionString: db.url });
  await locker.connect();
  const bootd = await startLoopbackBootd(db.url);
  try {
    await sql.query(`INSERT INTO "Host" (id, hostname, mac, "updatedAt") VALUES (gen_random_uuid(), 'flush-01', $1, now())`, [mac]);
    const health = () => fetch(`http://127.0.0.1:${bootd.adminPort}/healthz`).then((r) => r.json() as Promise<{ hosts: number }>, () => null);
    await until('bootd to see the host', async () => (await health())?.hosts === 1);

    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Lease" IN ACCESS EXCLUSIVE MODE');
    for (let i = 0; i < requests; i++) assert.equal((await fetch(`http://127.0.0.1:${bootd.httpPort}/boot/v1/ipxe/${mac}`)).status, 200);
    await until('the lease lookup to wait on the lock', async () => (await sql.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM "Lease"%'`,
    )).rowCount === 1);
    bootd.child.kill('SIGTERM');
    await bootd.waitForOutput(/shutting down/);
    // The lookup answers only now, with bootd already stopping.
    await new Promise((r) => setTimeout(r, 500));
    await locker.query('COMMIT');
    assert.equal(await bootd.exited(30_000), 0, `bootd stopped:\n${bootd.output()}`);

    const n = await sql.query(`SELECT count(*)::int AS n FROM "BootEvent" WHERE mac = $1 AND type = 'boot-config'`, [mac]);
    assert.equal(n.rows[0].n, requests, `every answered request's event is in the database:\n${bootd.output()}`);
    assert.ok(!fs.existsSync(path.join(bootd.stateDir, 'events-spool.jsonl')), 'written, not spooled');
  } finally {
    await locker.end();
    await sql.end();
    await bootd.stop();
  }
});
