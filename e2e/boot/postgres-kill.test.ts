// kill -9 of the embedded PostgreSQL while a QEMU VM boots (issue 14's outage test): the
// supervisor's keeper (scripts/supervisor/embedded-postgres-restarts.ts) starts it again within
// seconds; bootd, untouched, goes on serving the boot from its view (DHCP for the reservation,
// TFTP, HTTP, the agent API) and spools its events; the VM reaches up; and once the database is
// back every event bootd recorded is in it exactly once (its recorded counter = the rows), in
// boot order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../server/db/migrate.ts';
import { freePort } from '../../server/testing/web-app.ts';
import { until } from '../../server/testing/until.ts';
import { startKeptPostgres, type KeptPostgres } from '../../scripts/supervisor/embedded-postgres-restarts.ts';
import { QemuLab, biosRamBootToUp, bootLabSkipReason, bootTimeoutMs, missingStep, timelineByMac } from './qemu-lab.ts';

const skip = bootLabSkipReason();
/** A probe that fails (the database is down) counts as "not yet". */
const orNull = <T>(probe: () => Promise<T>) => () => probe().catch(() => null);

test('kill -9 of PostgreSQL mid-boot: it is back in seconds, the VM reaches up, every event is stored once and in order', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const dataDir = fs.mkdtempSync('/var/tmp/fb-pg-kill-');
  // The postgres user (when the tests run as root) must reach its cluster.
  fs.chmodSync(dataDir, 0o755);
  const pgLog: string[] = [];
  let kept: KeptPostgres | null = null;
  let lab: QemuLab | null = null;
  try {
    kept = await startKeptPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), log: (l) => pgLog.push(l) });
    // The unix socket: bootd runs in the lab's namespace, where 127.0.0.1 is its own.
    await migrate(kept.socketUrl);
    lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' }, database: { url: kept.socketUrl, name: 'fleetboot', drop: async () => undefined } });
    const mac = '52:54:00:14:09:01';
    const hostId = await lab.addHost({ hostname: 'pgkill01', mac, ip: '10.66.0.11' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'pgkill01', mac, firmware: 'bios' });

    // Mid-boot: pxelinux has come over TFTP, the kernel and everything after it has not.
    await until('pxelinux.0 on the timeline', async () =>
      (await lab!.timeline(hostId)).some((e) => e.type === 'transfer-done' && /pxelinux\.0$/.test(String(e.detail.file))), bootTimeoutMs(lab.accel));
    const pid = kept.pid()!;
    const killedAtMs = Date.now();
    process.kill(pid, 'SIGKILL');
    const back = await until('PostgreSQL to be back', orNull(async () => {
      const c = new pg.Client({ connectionString: kept!.socketUrl });
      await c.connect();
      await c.end();
      // Counted once the keeper's restart has finished (accepting connections comes a moment before).
      return kept!.restarts() > 0 ? Date.now() - killedAtMs : null;
    }), 120_000);
    console.log(`# PostgreSQL killed (pid ${pid}) after pxelinux.0; back in ${(back / 1000).toFixed(1)} s as pid ${kept.pid()}, ${kept.restarts()} restart(s)`);

    const upMs = await until('the host to be up', orNull(async () => (await lab!.hostState(hostId)).state === 'up' && Date.now() - vm.startedAtMs), bootTimeoutMs(lab.accel))
      .catch(async (err: Error) => {
        const events = (await timelineByMac(lab!, mac).catch(() => [])).map((e) => `${e.source}:${e.type}`).join(' → ');
        throw new Error(`${err.message}\n--- events ---\n${events}\n--- console tail ---\n${vm.console().slice(-3000)}\n--- bootd tail ---\n${lab!.bootdLog.slice(-4000)}`);
      });
    console.log(`# boot to up through the outage: ${(upMs / 1000).toFixed(1)} s (${lab.accel})`);

    // Nothing left in bootd's memory or spool; then its counter against the rows.
    const status = (pathName: string) => lab!.server.exec('curl', ['-sf', `http://127.0.0.1:9467${pathName}`]);
    await until('bootd to have written everything', () => (JSON.parse(status('/healthz')) as { eventsPending: number }).eventsPending === 0);
    const recorded = status('/metrics').split('\n').filter((l) => l.startsWith('fleetboot_events_recorded_total{'))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    const spooled = /fleetboot_event_batches_total\{result="spooled"\} (\d+)/.exec(status('/metrics'))?.[1];
    const rows = await lab.pool.query(`SELECT count(*)::int AS n FROM "BootEvent" WHERE NOT (source = 'bootd' AND type = 'host-state')`);
    console.log(`# bootd recorded ${recorded} events, ${spooled ?? 0} batch(es) spooled during the outage; ${rows.rows[0].n} in the database`);
    assert.ok(Number(spooled ?? 0) > 0, `the outage was felt: some batch went to the spool\n${lab.bootdLog.slice(-3000)}`);
    assert.equal(rows.rows[0].n, recorded, 'every event bootd recorded is in the database, none twice');

    const problem = missingStep(await lab.timeline(hostId), biosRamBootToUp);
    assert.equal(problem, null, problem ?? '');
  } finally {
    await lab?.dispose();
    await kept?.stop();
    if (!process.env.FLEETBOOT_KEEP_LAB) fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
