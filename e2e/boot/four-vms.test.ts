// 5) Four VMs at once (BIOS, iPXE ROM → per-host iPXE script → HTTP): all reach up, each with
// its own reserved address and a complete timeline. Heavy under TCG: four emulated CPUs on
// this 2-core box, so the deadline scales with the VM count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, heavySkipReason, bootTimeoutMs, missingStep } from './qemu-lab.ts';

const skip = heavySkipReason();
const vmCount = 4;

test(`${vmCount} VMs booting at once all reach up`, { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'ipxe' } });
  try {
    const hosts: Array<{ id: string; mac: string; ip: string }> = [];
    for (let i = 1; i <= vmCount; i++) {
      const mac = `52:54:00:6e:04:${String(i).padStart(2, '0')}`;
      const ip = `10.66.0.${40 + i}`;
      hosts.push({ id: await lab.addHost({ hostname: `fleet${i}`, mac, ip }), mac, ip });
    }
    await lab.startBootd();
    const vms = hosts.map((h, i) => lab.startVm({ name: `fleet${i + 1}`, mac: h.mac, firmware: 'bios' }));
    const times = await Promise.all(hosts.map((h, i) => lab.waitForState(h.id, 'up', vms[i]!, bootTimeoutMs(lab.accel, vmCount))));
    console.log(`# ${vmCount} VMs at once, boot to up: ${times.map((t) => (t / 1000).toFixed(1)).join(', ')} s; last ${(Math.max(...times) / 1000).toFixed(1)} s (${lab.accel})`);
    for (const h of hosts) {
      const events = await lab.timeline(h.id);
      const problem = missingStep(events, [
        { source: 'dhcp', type: 'ack' },
        { source: 'http', type: 'boot-config' },
        { source: 'http', type: 'transfer-done', file: /\/kernel$/ },
        { source: 'http', type: 'transfer-done', file: /\/initrd$/ },
        { source: 'agent', type: 'network-up' },
        { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
        { source: 'agent', type: 'switch-root' },
        { source: 'agent', type: 'up' },
      ]);
      assert.equal(problem, null, `${h.mac}: ${problem}`);
      const up = events.find((e) => e.type === 'up');
      assert.equal(up?.detail.clientIp, h.ip, 'each host reported up from its own reserved address');
    }
  } finally {
    await lab.dispose();
  }
});
