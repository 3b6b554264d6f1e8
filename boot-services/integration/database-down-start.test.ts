// bootd started while its database is down (a site's boot server rebooted during an outage):
// it serves the known hosts of its last snapshot at once, DHCP included (the lease store opens
// without its leases), spools the events of what it serves, and once the database is back it
// reads its leases, replays the events exactly once and follows the change log again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../../server/db/embedded-postgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { freePort } from '../../server/testing/web-app.ts';
import { until } from '../../server/testing/until.ts';
import { startLoopbackBootd, type LoopbackBootd } from '../testing/bootd-process.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-down-start-'));
// The embedded PostgreSQL runs as its own user when the tests run as root: it must reach its cluster.
fs.chmodSync(scratch, 0o755);
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const stateDir = path.join(scratch, 'bootd-state');
const mac = '52:54:00:14:05:21';

interface Health { viewLive: boolean; hosts: number; eventsPending: number; services: string[] }

/** DHCP (on a free port: nothing is sent to it) and HTTP, on the same state directory each time. */
async function startBootd(databaseUrl: string): Promise<LoopbackBootd & { health: () => Promise<Health | null> }> {
  fs.mkdirSync(stateDir, { recursive: true });
  const bootd = await startLoopbackBootd(databaseUrl, { FLEETBOOT_SERVICES: 'dhcp,http', FLEETBOOT_DHCP_PORT: String(await freePort()) }, { stateDir });
  const health = () => fetch(`http://127.0.0.1:${bootd.adminPort}/healthz`).then((r) => r.json() as Promise<Health>, () => null);
  return Object.assign(bootd, { health });
}

test('bootd started with its database down serves its snapshot at once and catches up when the database is back', async () => {
  let db: RunningPostgres = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: await freePort(), log: () => undefined });
  let bootd: Awaited<ReturnType<typeof startBootd>> | null = null;
  try {
    await migrate(db.url);
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`INSERT INTO "Network" (id, name, cidr, "poolStart", "poolEnd", "discoveryEnabled", "updatedAt") VALUES (gen_random_uuid(), 'site-a', '10.73.0.0/24', '10.73.0.100', '10.73.0.150', true, now())`);
    await sql.query(`INSERT INTO "Host" (id, hostname, mac, ip, "updatedAt") VALUES (gen_random_uuid(), 'down-01', $1, '10.73.0.21', now())`, [mac]);
    await sql.end();

    // A first run leaves its snapshot behind.
    let startedAtMs = Date.now();
    bootd = await startBootd(db.url);
    await until('the first view', async () => (await bootd!.health())?.viewLive);
    const upStartS = (Date.now() - startedAtMs) / 1000;
    await bootd.stop({ keepState: true });

    await db.stop();
    startedAtMs = Date.now();
    bootd = await startBootd(db.url);
    // Its status endpoint answers from the start; `services` once it serves.
    const health = await until('bootd to serve with the database down', async () => {
      const h = await bootd!.health();
      return h?.services ? h : null;
    });
    console.log(`# bootd served ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s after its start with the database down (${upStartS.toFixed(1)} s with it up)`);
    assert.deepEqual([health.viewLive, health.hosts], [false, 1], 'the known host, from the snapshot');
    assert.ok(health.services.includes('dhcp'), `DHCP started without its leases: ${bootd.output()}`);
    await bootd.waitForOutput(/leases not readable/);
    for (let i = 0; i < 5; i++) {
      const res: Response = await fetch(`http://127.0.0.1:${bootd.httpPort}/boot/v1/ipxe/${mac}`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^#!ipxe/);
    }
    await until('the 5 events to be spooled', async () => (await bootd!.health())?.eventsPending === 5);
    assert.ok(fs.existsSync(path.join(stateDir, 'events-spool.jsonl')));

    db = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: db.port, exactPort: true, log: () => undefined });
    await until('the view to be live and the spool replayed', async () => {
      const h = await bootd!.health();
      return h?.viewLive && h.eventsPending === 0;
    }, 90_000);
    await bootd.waitForOutput(/leases read: pool clients are answered again/, 30_000);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const n = await check.query(`SELECT count(*)::int AS n FROM "BootEvent" WHERE mac = $1 AND type = 'boot-config'`, [mac]);
      assert.equal(n.rows[0].n, 5, 'the 5 events of the outage, once');
      // And it follows the change log again.
      await check.query(`INSERT INTO "Host" (id, hostname, mac, ip, "updatedAt") VALUES (gen_random_uuid(), 'down-02', '52:54:00:14:05:22', '10.73.0.22', now())`);
      await until('the new host in the view', async () => (await bootd!.health())?.hosts === 2, 30_000);
    } finally {
      await check.end();
    }
  } finally {
    await bootd?.stop();
    await db.stop();
  }
});
