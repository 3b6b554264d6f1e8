// The embedded PostgreSQL killed with -9 under the supervisor while bootd serves: the
// supervisor starts it again (never web or bootd: same pids), bootd keeps answering known hosts
// from its view and spools their events, the console answers 503 with the reason meanwhile and
// by itself again after, and every event recorded during the outage reaches the database once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { apiClient } from '../../server/testing/web-app.ts';
import {
  alive, bootdHealth, connectEmbedded, postmasterPid, removeDataDir, signIn, startSupervisor, stopGracefully, supervisedPids, supervisorPorts, waitUntil,
} from './supervisor-harness.ts';

const scratch: string[] = [];
after(() => scratch.forEach(removeDataDir));

const mac = '52:54:00:14:05:01';

test('kill -9 of the embedded PostgreSQL: it is back, web and bootd run on, the console recovers, no event is lost or doubled', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pg-outage-'));
  scratch.push(dataDir);
  const s = await startSupervisor(dataDir, await supervisorPorts());
  try {
    const api = apiClient(s.url, { cookie: await signIn(s.url) });
    assert.equal((await api.post('/networks', { name: 'rack1', cidr: '10.71.0.0/24' })).status, 201);
    assert.equal((await api.post('/hosts', { hostname: 'web-01', ip: '10.71.0.5', mac })).status, 201);
    await waitUntil('bootd to see the host', 60_000, async () => (await bootdHealth(s)).hosts >= 1);

    // What a booting iPXE asks bootd for; each answer is one boot-config event for the host.
    const ipxe = async () => {
      const res = await fetch(`http://127.0.0.1:${s.ports.http}/boot/v1/ipxe/${mac}`);
      const text = await res.text();
      assert.equal(res.status, 200);
      assert.match(text, /^#!ipxe/);
    };
    for (let i = 0; i < 10; i++) await ipxe();
    const before = supervisedPids(s);
    assert.ok(before.web > 0 && before.bootd > 0, `web and bootd found: ${JSON.stringify(before)}`);

    const cookie = await signIn(s.url);
    const killedPid = postmasterPid(dataDir)!;
    process.kill(killedPid, 'SIGKILL');
    await waitUntil('the postmaster to die', 10_000, () => !alive(killedPid));
    const killedAtMs = Date.now();
    // Its port held for a while (before the supervisor's first attempt, 1 s on): the restart
    // fails and is tried again later, and the outage lasts long enough to look at.
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(s.ports.pg, '127.0.0.1', resolve));
    try {
      // While it is away: bootd answers the known host; the console says why it can't.
      for (let i = 0; i < 30; i++) await ipxe();
      const health = await waitUntil('the console to notice', 30_000, async () => {
        const res = await fetch(`${s.url}/healthz`);
        return res.status === 503 ? res.json() as Promise<{ ok: boolean; error: string }> : null;
      });
      assert.match(health.error, /database not reachable/);
      const apiDown = await api.get('/hosts');
      assert.equal(apiDown.status, 503);
      assert.match(apiDown.body.error, /database is not reachable/);
      const page = await fetch(`${s.url}/hosts`, { headers: { cookie, accept: 'text/html' } });
      assert.equal(page.status, 503);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /The console can't reach its database/);
      await waitUntil('a restart refused by the taken port', 30_000, () => /PostgreSQL did not start again \(port \d+ on 127.0.0.1 is taken/.test(s.output()));
    } finally {
      blocker.close();
    }

    // Back by itself: PostgreSQL restarted, the console answers again without a restart.
    await waitUntil('the console to answer again', 120_000, async () => (await fetch(`${s.url}/healthz`)).status === 200);
    const backAfterS = (Date.now() - killedAtMs) / 1000;
    console.log(`# PostgreSQL and the console back ${backAfterS.toFixed(1)} s after kill -9`);
    const newPid = postmasterPid(dataDir);
    assert.ok(newPid && newPid !== killedPid && alive(newPid), 'a new postmaster runs');
    assert.equal((await api.get('/hosts')).status, 200, 'the API works again');
    assert.deepEqual(supervisedPids(s), before, 'web and bootd were never restarted');
    assert.match(s.output(), /PostgreSQL exited unexpectedly \(SIGKILL\); starting it again/);
    assert.doesNotMatch(s.output(), /(web|bootd) exited/);

    // Every event of the outage arrives, once, in the order recorded.
    await waitUntil('bootd to replay its spool', 60_000, async () => (await bootdHealth(s)).eventsPending === 0);
    const metrics = await (await fetch(`http://127.0.0.1:${s.ports.admin}/metrics`)).text();
    assert.match(metrics, /fleetboot_event_batches_total\{result="spooled"\} [1-9]/, 'the outage went through the spool');
    const db = await connectEmbedded(dataDir, s.ports.pg);
    try {
      const rows = await db.query<{ id: string; at: Date }>(`SELECT id, at FROM "BootEvent" WHERE mac = $1 AND type = 'boot-config' ORDER BY seq`, [mac]);
      assert.equal(rows.rows.length, 40, '10 before + 30 during the outage, none lost, none twice');
      const times = rows.rows.map((r) => r.at.getTime());
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'stored in the order they happened');
    } finally {
      await db.end();
    }
  } finally {
    await stopGracefully(s);
  }
});
