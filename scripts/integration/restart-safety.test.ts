// The supervisor as an operator runs it (`npm start`): embedded PostgreSQL in a data directory,
// migrations, first admin, web + bootd. Killed with -9 together with its PostgreSQL, it must
// start again with every committed row intact and no manual step.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { apiClient } from '../../server/testing/web-app.ts';
import { alive, clusterDir, removeDataDir, signIn, startSupervisor, stopGracefully, supervisorPorts as ports } from './supervisor-harness.ts';

const scratch: string[] = [];
after(() => scratch.forEach(removeDataDir));

test('kill -9 of the supervisor and its PostgreSQL loses no committed data and needs no manual step', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-restart-'));
  scratch.push(dataDir);
  const p = await ports();
  const first = await startSupervisor(dataDir, p);
  assert.match(first.output(), /first admin created/);
  const api = apiClient(first.url, { cookie: await signIn(first.url) });
  const created = await api.post('/networks', { name: 'rack1', cidr: '10.70.0.0/24' });
  assert.equal(created.status, 201);
  const host = await api.post('/hosts', { hostname: 'db-01', ip: '10.70.0.5' });
  assert.equal(host.status, 201);

  const postmasterPid = Number(fs.readFileSync(path.join(clusterDir(dataDir), 'postmaster.pid'), 'utf8').split('\n')[0]);
  first.child.kill('SIGKILL');
  process.kill(postmasterPid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (alive(postmasterPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(fs.existsSync(path.join(clusterDir(dataDir), 'postmaster.pid')), 'a stale postmaster.pid is left behind');

  const second = await startSupervisor(dataDir, p);
  try {
    assert.doesNotMatch(second.output(), /first admin created/, 'the admin is not created again');
    const api2 = apiClient(second.url, { cookie: await signIn(second.url) });
    const found = await api2.get('/hosts?q=db-01');
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.items.map((h: { hostname: string; ip: string }) => [h.hostname, h.ip]), [['db-01', '10.70.0.5']]);
  } finally {
    await stopGracefully(second);
  }
  assert.ok(!fs.existsSync(path.join(clusterDir(dataDir), 'postmaster.pid')), 'a clean stop leaves no lock file');
});

test('a data directory under a mode-700 parent and a taken PostgreSQL port still start', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-private-'));
  fs.chmodSync(parent, 0o700);
  const dataDir = path.join(parent, 'data');
  // Its cluster (outside, found through dataDir's pointer) before the parent.
  scratch.push(dataDir, parent);
  const p = await ports();
  const blocker = net.createServer().listen(p.pg, '127.0.0.1');
  try {
    const s = await startSupervisor(dataDir, p);
    try {
      assert.match(s.output(), new RegExp(`port ${p.pg} is taken`));
      const api = apiClient(s.url, { cookie: await signIn(s.url) });
      assert.equal((await api.post('/roles', { name: 'lvs' })).status, 201);
    } finally {
      await stopGracefully(s);
    }
    const cluster = clusterDir(dataDir);
    scratch.push(cluster);
    assert.ok(fs.existsSync(path.join(cluster, 'PG_VERSION')), 'the cluster exists where the postgres user can reach it');
  } finally {
    blocker.close();
  }
});
