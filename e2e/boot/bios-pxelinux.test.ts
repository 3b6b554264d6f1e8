// 1) BIOS with QEMU's iPXE ROM: DHCP → pxelinux.0 over TFTP → per-host config → kernel + agent
// initrd over TFTP → ram root from the rootfs tarball over HTTP → up. bootd is the only server.
// The host's log reaches bootd's syslog: the agent's lines from the initramfs and the booted
// image's own, read back through the console's API (GET /api/v1/hosts/{id}/logs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, missingStep } from './qemu-lab.ts';
import { labWebSkipReason, startLabWeb, type LabWeb } from './lab-web.ts';

const skip = bootLabSkipReason();
const webSkip = labWebSkipReason();
if (!skip && webSkip) console.log(`# BIOS lab: the host's log is not checked through the API: ${webSkip}`);

test('BIOS VM boots pxelinux, the agent and the ram root from bootd alone, and reports up', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  try {
    const mac = '52:54:00:6e:00:01';
    const hostId = await lab.addHost({ hostname: 'ram01', mac, ip: '10.66.0.11' });
    // A one-shot image override for this boot: it must be gone once the host is up.
    await lab.pool.query(`UPDATE "Host" SET "bootOverride" = 'image', "imageOverrideId" = $1 WHERE id = $2`, [lab.sample.imageId, hostId]);
    await lab.startBootd();
    const web: LabWeb | null = webSkip ? null : await startLabWeb(lab);
    const vm = lab.startVm({ name: 'ram01', mac, firmware: 'bios' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# BIOS pxelinux ram boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'tftp', type: 'transfer-done', file: /^pxelinux\.0$/ },
      { source: 'tftp', type: 'transfer-done', file: /^pxelinux\.cfg\/01-52-54-00-6e-00-01$/ },
      { source: 'tftp', type: 'transfer-done', file: /\/kernel$/ },
      { source: 'tftp', type: 'transfer-done', file: /\/initrd$/ },
      { source: 'dhcp', type: 'ack' },
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'rootfs-download' },
      { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
      { source: 'agent', type: 'rootfs-verified' },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    const up = events.find((e) => e.type === 'up');
    assert.deepEqual(up?.detail.health, { ok: true }, 'the image\'s health check (its web page) passed before up');
    const download = events.filter((e) => e.type === 'rootfs-download').at(-1);
    assert.equal(download?.bytesDone, String(lab.sample.rootfs.sizeBytes), 'the last download report has every byte');
    let override = await lab.hostState(hostId);
    for (let i = 0; i < 20 && override.bootOverride !== null; i++) {
      await new Promise((r) => setTimeout(r, 250));
      override = await lab.hostState(hostId);
    }
    assert.equal(override.bootOverride, null, 'the one-shot override is cleared once the host is up');
    const again = await lab.pool.query(`SELECT "imageOverrideId" FROM "Host" WHERE id = $1`, [hostId]);
    assert.equal(again.rows[0].imageOverrideId, null, 'with the image it named');

    if (web) {
      // Each part of the boot through its own sender: the agent (DHCP option 7's target, its
      // early lines replayed), the image's init (syslogd -R from agent.env) and the up hook.
      const expected = [
        /fleetboot-agent: starting \(mode boot/,
        /fleetboot-agent: network up: \S+ 52:54:00:6e:00:01 10\.66\.0\.11/,
        /fleetboot-agent: phase rootfs-verified/,
        /fleetboot-agent: switching root to ram root/,
        /rcS: fleetboot sample image: ram01 ready/,
        /fleetboot-up: reported up to bootd/,
      ];
      let lines: string[] = [];
      for (let waited = 0; waited < 30_000; waited += 500) {
        const res: { status: number; body: { lines: string[] | null } } = web.get(`/hosts/${hostId}/logs?lines=200`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        lines = res.body.lines ?? [];
        if (expected.every((re) => lines.some((l) => re.test(l)))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const missing = expected.filter((re) => !lines.some((l) => re.test(l)));
      assert.deepEqual(missing, [], `ram01's log through the API lacks ${missing.join(', ')}; it has:\n${lines.join('\n')}`);
      const order = expected.map((re) => lines.findIndex((l) => re.test(l)));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `in boot order:\n${lines.join('\n')}`);
      console.log(`# ram01's log through the API: ${lines.length} lines, e.g. ${lines.find((l) => /rcS:/.test(l))}`);
    }
  } finally {
    await lab.dispose();
  }
});
