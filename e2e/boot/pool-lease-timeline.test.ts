// A BIOS host with no reserved address boots on a pool lease, and its timeline has every step:
// the DHCP exchange, pxelinux.0, its config, kernel and initrd over TFTP, the rootfs over HTTP
// and the agent's reports, each transfer with its real duration (and HTTP's with its rate).
// Before, transfers were tied to a host by reserved IP only and this timeline stopped at DHCP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, missingStep } from './qemu-lab.ts';

const skip = bootLabSkipReason();

test('a BIOS host on a pool lease has every transfer on its timeline, with real durations', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  try {
    const mac = '52:54:00:6e:16:01';
    const hostId = await lab.addHost({ hostname: 'pool01', mac, ip: null });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'pool01', mac, firmware: 'bios' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# BIOS pool-lease boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'tftp', type: 'transfer-done', file: /^pxelinux\.0$/ },
      { source: 'tftp', type: 'transfer-done', file: /^pxelinux\.cfg\/01-52-54-00-6e-16-01$/ },
      { source: 'tftp', type: 'transfer-done', file: /\/kernel$/ },
      { source: 'tftp', type: 'transfer-done', file: /\/initrd$/ },
      { source: 'agent', type: 'identity' },
      { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    const leased = await lab.pool.query(`SELECT ip FROM "Lease" WHERE mac = $1 AND state = 'bound'`, [mac]);
    assert.ok(leased.rows[0]?.ip?.startsWith('10.66.0.1'), `a pool lease: ${JSON.stringify(leased.rows)}`);
    const done = events.filter((e) => e.type === 'transfer-done');
    for (const e of done) console.log(`#   ${e.source} ${String(e.detail.file)}: ${e.bytesDone} B in ${String(e.detail.durationMs)} ms (${String(e.detail.matchedBy)})`);
    const kernel = done.find((e) => e.source === 'tftp' && /\/kernel$/.test(String(e.detail.file)))!;
    // A kernel of several MB over TFTP under TCG takes far longer than a millisecond.
    assert.ok(Number(kernel.detail.durationMs) > 100, `kernel transfer took ${String(kernel.detail.durationMs)} ms`);
    assert.equal(kernel.detail.matchedBy, 'lease', 'tied to the host by its pool lease');
    const rootfs = done.find((e) => e.source === 'http' && /\/rootfs$/.test(String(e.detail.file)))!;
    assert.equal(rootfs.bytesDone, rootfs.bytesTotal, 'every byte of the rootfs');
    assert.ok(Number(rootfs.detail.durationMs) > 0 && Number(rootfs.detail.bytesPerSecond) > 0, `rootfs: ${JSON.stringify(rootfs.detail)}`);
  } finally {
    await lab.dispose();
  }
});
