// `npm start` stopped the three ways an operator stops it: `kill <pid of npm>`, `kill <pid of
// the supervisor>` (systemd's KillMode=mixed does this), and Ctrl-C in the terminal (SIGINT to
// the whole process group). Each time every process ends (npm, supervisor, web, bootd,
// PostgreSQL), bootd flushes its last events while PostgreSQL still runs (nothing is left in its
// spool), and PostgreSQL stops last and cleanly (no postmaster.pid left).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { apiClient } from '../../server/testing/web-app.ts';
import {
  alive, bootdHealth, clusterDir, connectEmbedded, exited, postmasterPid, signIn, startSupervisor, supervisedPids, supervisorPorts, waitUntil,
} from './supervisor-harness.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-signals-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const mac = '52:54:00:14:06:01';
const eventsPerRun = 20;

type Stop = 'SIGTERM to npm' | 'SIGTERM to the supervisor' | 'SIGINT to the process group';

async function runAndStop(how: Stop): Promise<void> {
  const ports = await supervisorPorts();
  const s = await startSupervisor(dataDir, ports, { via: 'npm' });
  const npmPid = s.child.pid!;
  const pids = supervisedPids(s);
  const pgPid = postmasterPid(dataDir)!;
  assert.ok(pids.supervisor !== npmPid, 'npm runs the supervisor as its child');
  assert.ok(pids.web > 0 && pids.bootd > 0 && pgPid > 0, `all running: ${JSON.stringify({ ...pids, pgPid })}`);

  const api = apiClient(s.url, { cookie: await signIn(s.url) });
  if ((await api.get(`/hosts?q=sig-01`)).body.items.length === 0) {
    assert.equal((await api.post('/hosts', { hostname: 'sig-01', mac })).status, 201);
  }
  await waitUntil('bootd to see the host', 60_000, async () => (await bootdHealth(s)).hosts >= 1);
  // The last events just before the stop: bootd must write them before PostgreSQL goes.
  for (let i = 0; i < eventsPerRun; i++) assert.equal((await fetch(`http://127.0.0.1:${ports.http}/boot/v1/ipxe/${mac}`)).status, 200);

  if (how === 'SIGTERM to npm') process.kill(npmPid, 'SIGTERM');
  else if (how === 'SIGTERM to the supervisor') process.kill(pids.supervisor, 'SIGTERM');
  else process.kill(-npmPid, 'SIGINT');
  await exited(s.child);
  for (const [name, pid] of Object.entries({ ...pids, postgres: pgPid })) {
    await waitUntil(`${name} (${pid}) to end after ${how}`, 60_000, () => !alive(pid));
  }
  const out = s.output();
  const bootdStops = out.indexOf('[bootd] info bootd: shutting down');
  const pgStops = out.indexOf('[fleetboot] stopping PostgreSQL');
  assert.ok(bootdStops >= 0 && pgStops > bootdStops, `bootd stops before PostgreSQL (${how}):\n${out.slice(-3000)}`);
  assert.ok(!fs.existsSync(path.join(dataDir, 'bootd', 'events-spool.jsonl')), `bootd's last events went to the database, not the spool (${how})`);
  assert.ok(!fs.existsSync(path.join(clusterDir(dataDir), 'postmaster.pid')), `PostgreSQL stopped cleanly (${how})`);
}

for (const how of ['SIGTERM to npm', 'SIGTERM to the supervisor', 'SIGINT to the process group'] as const) {
  test(`npm start stopped by ${how}: everything ends, bootd flushes first, PostgreSQL last`, () => runAndStop(how));
}

test('the events recorded just before each stop are all in the database', async () => {
  const pg = await startEmbeddedPostgres({ dataDir, log: () => undefined });
  try {
    const db = await connectEmbedded(dataDir, pg.port);
    const n = Number((await db.query(`SELECT count(*) FROM "BootEvent" WHERE mac = $1 AND type = 'boot-config'`, [mac])).rows[0].count);
    await db.end();
    assert.equal(n, eventsPerRun * 3);
  } finally {
    await pg.stop();
  }
});
