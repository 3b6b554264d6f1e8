// `npm start` stopped the three ways an operator stops it: `kill <pid of npm>`, `kill <pid of
// the supervisor>` (systemd's KillMode=mixed does this), and Ctrl-C in the terminal (SIGINT to
// the whole process group). Each time every process ends (npm, supervisor, web, bootd,
// PostgreSQL), bootd flushes its last events while PostgreSQL still runs (nothing is left in its
// spool), and PostgreSQL stops last and cleanly (no postmaster.pid left). Each run boots its own
// host, so a short count names the way of stopping that lost events.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEmbeddedPostgres } from '../../server/db/embedded-postgres.ts';
import { apiClient } from '../../server/testing/web-app.ts';
import {
  alive, bootdHealth, clusterDir, connectEmbedded, exited, postmasterPid, removeDataDir, signIn, startSupervisor, supervisedPids, supervisorPorts, waitUntil,
} from './supervisor-harness.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-signals-'));
after(() => removeDataDir(dataDir));
const eventsPerRun = 20;
const stops = ['SIGTERM to npm', 'SIGTERM to the supervisor', 'SIGINT to the process group'] as const;
type Stop = typeof stops[number];
/** A host of its own for each way of stopping, so a count that falls short says which one lost events. */
const macOf = (how: Stop) => `52:54:00:14:06:0${stops.indexOf(how) + 1}`;
/** Each run's supervisor output, shown if its events are not all in the database. */
const outputs = new Map<Stop, string>();

async function runAndStop(how: Stop): Promise<void> {
  const mac = macOf(how);
  const hostname = `sig-0${stops.indexOf(how) + 1}`;
  const ports = await supervisorPorts();
  const s = await startSupervisor(dataDir, ports, { via: 'npm' });
  const npmPid = s.child.pid!;
  const pids = supervisedPids(s);
  const pgPid = postmasterPid(dataDir)!;
  assert.ok(pids.supervisor !== npmPid, 'npm runs the supervisor as its child');
  assert.ok(pids.web > 0 && pids.bootd > 0 && pgPid > 0, `all running: ${JSON.stringify({ ...pids, pgPid })}`);

  const api = apiClient(s.url, { cookie: await signIn(s.url) });
  assert.equal((await api.post('/hosts', { hostname, mac })).status, 201);
  const hosts = (await api.get('/hosts')).body.items.length as number;
  await waitUntil(`bootd to see ${hostname}`, 60_000, async () => (await bootdHealth(s)).hosts === hosts);
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
  outputs.set(how, out);
  const bootdStops = out.indexOf('[bootd] info bootd: shutting down');
  const pgStops = out.indexOf('[fleetboot] stopping PostgreSQL');
  assert.ok(bootdStops >= 0 && pgStops > bootdStops, `bootd stops before PostgreSQL (${how}):\n${out.slice(-3000)}`);
  assert.doesNotMatch(out, /did not stop within/, `web and bootd stopped by themselves, not killed (${how})`);
  assert.ok(!fs.existsSync(path.join(dataDir, 'bootd', 'events-spool.jsonl')), `bootd's last events went to the database, not the spool (${how})`);
  assert.ok(!fs.existsSync(path.join(dataDir, 'bootd', 'events-rejected.jsonl')), `no event was refused by the database (${how})`);
  assert.ok(!fs.existsSync(path.join(clusterDir(dataDir), 'postmaster.pid')), `PostgreSQL stopped cleanly (${how})`);
}

for (const how of stops) {
  test(`npm start stopped by ${how}: everything ends, bootd flushes first, PostgreSQL last`, () => runAndStop(how));
}

test('the events recorded just before each stop are all in the database', async () => {
  const pg = await startEmbeddedPostgres({ dataDir, log: () => undefined });
  try {
    const db = await connectEmbedded(dataDir, pg.port);
    for (const how of stops) {
      const n = Number((await db.query(`SELECT count(*) FROM "BootEvent" WHERE mac = $1 AND type = 'boot-config'`, [macOf(how)])).rows[0].count);
      assert.equal(n, eventsPerRun, `the ${eventsPerRun} events recorded before ${how}; its output:\n${(outputs.get(how) ?? '').slice(-4000)}`);
    }
    await db.end();
  } finally {
    await pg.stop();
  }
});
