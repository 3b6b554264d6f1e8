// 2) UEFI with OVMF: DHCP (client arch 7) → ipxe.efi over TFTP → iPXE asks again and gets its
// per-host script over HTTP → kernel + agent initrd over HTTP → ram root → up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, missingStep } from './qemu-lab.ts';

const skip = bootLabSkipReason();

test('UEFI VM boots ipxe.efi, its iPXE script and the agent over HTTP, and reports up', { skip: skip ?? false, timeout: 600_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  try {
    const mac = '52:54:00:6e:00:02';
    const hostId = await lab.addHost({ hostname: 'uefi01', mac, ip: '10.66.0.12' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'uefi01', mac, firmware: 'uefi' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# UEFI iPXE ram boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'tftp', type: 'transfer-done', file: /^ipxe\.efi$/ },
      { source: 'dhcp', type: 'ack' },
      { source: 'http', type: 'boot-config' },
      { source: 'http', type: 'transfer-done', file: /\/kernel$/ },
      { source: 'http', type: 'transfer-done', file: /\/initrd$/ },
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'identity' },
      { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    const config = events.find((e) => e.type === 'boot-config');
    assert.equal(config?.detail.plan, 'linux', 'the iPXE script booted the host\'s image, not discovery');
  } finally {
    await lab.dispose();
  }
});
