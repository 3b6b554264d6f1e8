// Sites and boot servers, end to end (issue 14's namespace lab): PostgreSQL and the console in
// `core`, one named bootd per site namespace with its own state directory and no file of core's
// (sites-lab.ts hides them), each pulling the image's artifacts over its routed link. A VM at
// each site PXE-boots to up from its site's bootd. Then core–site-a is cut (link down at core's
// end: packets are lost, not refused, as on a cut WAN): site-a's known host boots again from
// its bootd's view and cache while its events spool; once the link is back every event of that
// boot is in the database, in boot order, none twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../server/testing/until.ts';
import { labWebSkipReason } from './lab-web.ts';
import { bootLabSkipReason, bootTimeoutMs, biosRamBootToUp, missingStep, timelineByMac } from './qemu-lab.ts';
import { SitesLab, sitesLabToolsSkipReason, type Site } from './sites-lab.ts';

const skip = bootLabSkipReason() ?? labWebSkipReason() ?? sitesLabToolsSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

const hostsOf = {
  'site-a': { hostname: 'sa01', mac: '52:54:00:14:a0:01', ip: '10.66.1.11' },
  'site-b': { hostname: 'sb01', mac: '52:54:00:14:b0:01', ip: '10.66.2.11' },
} as const;

test('core, site-a and site-b: each site boots from its own bootd; site-a cut off boots its known host and its events arrive once the link is back', { skip: skip ?? false, timeout: 1_500_000 }, async () => {
  const lab = await SitesLab.start(['site-a', 'site-b']);
  try {
    const [a, b] = lab.sites as [Site, Site];
    const hostIds = new Map<Site, string>();
    for (const site of lab.sites) hostIds.set(site, await lab.addHost(site, hostsOf[site.name as keyof typeof hostsOf]));
    for (const site of lab.sites) await lab.startBootd(site);

    // Each site pulled the image (kernel, initrd, rootfs) from the console over its link.
    const artifactBytes = Number((await lab.pool.query<{ n: string }>(
      `SELECT sum(a."sizeBytes")::text AS n FROM "Artifact" a JOIN "Image" i ON a.sha256 IN (i."kernelSha256", i."initrdSha256", i."rootfsSha256") WHERE i."roleId" = $1`, [lab.sample.roleId])).rows[0]!.n);
    for (const site of lab.sites) {
      await until(`${site.name} to have synced its artifacts`, () => {
        const needed = lab.metric(site, 'fleetboot_artifacts_needed');
        return needed >= 3 && lab.metric(site, 'fleetboot_artifacts_synced') === needed;
      }, 180_000);
      assert.equal(lab.metric(site, 'fleetboot_artifact_pull_bytes_total'), artifactBytes, `${site.name} pulled the image's bytes over HTTP once`);
    }

    const vms = lab.sites.map((site) => lab.startVm(site, { name: hostsOf[site.name as keyof typeof hostsOf].hostname, mac: hostsOf[site.name as keyof typeof hostsOf].mac, firmware: 'bios', memoryMb: 384 }));
    for (const [i, site] of lab.sites.entries()) {
      const ms = await until(`${site.name}'s host to be up`, async () => (await lab.hostState(hostIds.get(site)!)) === 'up' && Date.now() - vms[i]!.startedAtMs, bootTimeoutMs(lab.accel, 2))
        .catch(async (err: Error) => {
          const events = (await timelineByMac(lab, vms[i]!.mac)).map((e) => `${e.source}:${e.type}`).join(' → ');
          throw new Error(`${err.message}\n--- events ---\n${events}\n--- console ---\n${vms[i]!.console().slice(-3000)}\n--- bootd ---\n${site.bootdLog.slice(-3000)}`);
        });
      console.log(`# ${site.name}: ${hostsOf[site.name as keyof typeof hostsOf].hostname} up in ${(ms / 1000).toFixed(1)} s (${lab.accel}) from bootd-${site.name}`);
      assert.equal(missingStep(await timelineByMac(lab, vms[i]!.mac), biosRamBootToUp), null);
    }
    assert.ok(lab.metric(b, 'fleetboot_artifact_cache_requests_total', { result: 'hit' }) >= 1, 'site-b served its boot from its cache');

    // Cut core–site-a, then boot site-a's host again.
    const upAnswered = lab.metric(a, 'fleetboot_agent_requests_total', { route: 'up' });
    const spooledBefore = lab.metric(a, 'fleetboot_event_batches_total', { result: 'spooled' });
    await lab.stopVm(a, vms[0]!);
    lab.setLink(a, 'down');
    const cutAtMs = Date.now();
    const again = lab.startVm(a, { name: 'sa01-again', mac: hostsOf['site-a'].mac, firmware: 'bios', memoryMb: 384 });
    const upMs = await until('sa01 to be up again with its link cut', () => lab.metric(a, 'fleetboot_agent_requests_total', { route: 'up' }) > upAnswered && Date.now() - again.startedAtMs, bootTimeoutMs(lab.accel))
      .catch((err: Error) => { throw new Error(`${err.message}\n--- console ---\n${again.console().slice(-3000)}\n--- bootd ---\n${a.bootdLog.slice(-4000)}`); });
    // The boot's events wait in the spool (a batch stuck on the dead connection gives up and spools).
    await until('site-a to spool its events', () => lab.metric(a, 'fleetboot_event_batches_total', { result: 'spooled' }) > spooledBefore, 120_000);
    const cutMs = Date.now() - cutAtMs;
    console.log(`# site-a cut: sa01 up again in ${(upMs / 1000).toFixed(1)} s from snapshot and cache; ${JSON.parse(lab.status(a, '/healthz')).eventsPending} events waiting after ${(cutMs / 1000).toFixed(1)} s`);

    lab.setLink(a, 'up');
    const backAtMs = Date.now();
    await until('site-a\'s events to reach the database', () => (JSON.parse(lab.status(a, '/healthz')) as { eventsPending: number }).eventsPending === 0, 180_000);
    console.log(`# link back: site-a's spool written ${((Date.now() - backAtMs) / 1000).toFixed(1)} s later`);

    // Every event of the boot through the cut, in order; none twice; bootd's count = the rows.
    const sinceCut = (await timelineByMac(lab, hostsOf['site-a'].mac)).filter((e) => e.at.getTime() >= cutAtMs);
    assert.equal(missingStep(sinceCut, biosRamBootToUp), null, 'the boot through the cut, in order');
    const twice = await lab.pool.query(`SELECT source, type, at, count(*)::int AS n FROM "BootEvent" WHERE mac = $1 GROUP BY source, type, at, detail::text HAVING count(*) > 1`, [hostsOf['site-a'].mac]);
    assert.deepEqual(twice.rows, [], 'no event twice');
    const recorded = ['dhcp', 'tftp', 'http', 'agent', 'syslog'].reduce((n, source) => n + lab.metric(a, 'fleetboot_events_recorded_total', { source }), 0);
    const rows = await lab.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "BootEvent" WHERE (mac = $1 OR "hostId" = $2) AND source IN ('dhcp', 'tftp', 'http', 'agent', 'syslog')`,
      [hostsOf['site-a'].mac, hostIds.get(a)]);
    console.log(`# site-a's bootd recorded ${recorded} host events; ${rows.rows[0]!.n} in the database`);
    assert.equal(rows.rows[0]!.n, recorded, 'every event site-a recorded is in the database once');
  } finally {
    await lab.dispose();
  }
});
