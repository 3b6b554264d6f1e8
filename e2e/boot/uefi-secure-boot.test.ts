// UEFI Secure Boot: OVMF with Secure Boot on and Microsoft's keys enrolled PXE-boots a host
// whose role's UEFI chain is secure_boot: DHCP (arch 7) hands out Debian's Microsoft-signed
// shim, shim loads Debian's signed network GRUB (grubx64.efi) from the same TFTP directory,
// GRUB reads the config bootd renders for its MAC and loads the image's kernel (Debian's,
// signed) and the agent initrd over TFTP; the agent takes the host to up. The guest kernel
// must say Secure Boot is on (its own line on the serial console), so the firmware really
// enforced signatures all the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, missingStep, secureBootLabSkipReason } from './qemu-lab.ts';

const skip = secureBootLabSkipReason();

test('OVMF with Secure Boot on boots a Secure Boot role through shim → GRUB → signed kernel to up', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', uefiBootChain: 'secure_boot' } });
  try {
    const mac = '52:54:00:5b:00:01';
    const hostId = await lab.addHost({ hostname: 'sb01', mac, ip: '10.66.0.31' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'sb01', mac, firmware: 'uefi-secure-boot' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# UEFI Secure Boot shim → GRUB → kernel, ram boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'tftp', type: 'transfer-done', file: /^shimx64\.efi$/ },
      { source: 'tftp', type: 'transfer-done', file: /^grubx64\.efi$/ },
      { source: 'tftp', type: 'transfer-done', file: /^grub\/grub\.cfg/ },
      { source: 'tftp', type: 'transfer-done', file: /^images\/.+\/kernel$/ },
      { source: 'tftp', type: 'transfer-done', file: /^images\/.+\/initrd$/ },
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'identity' },
      { source: 'http', type: 'transfer-done', file: /\/rootfs$/ },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    assert.equal(events.find((e) => e.source === 'dhcp' && e.type === 'ack')?.detail.bootFile, 'shimx64.efi');
    // shim's optional revocation lists and GRUB's module lists are probes, not boot problems.
    const misses = events.filter((e) => e.type === 'transfer-error' && e.detail.reason === 'not-found').map((e) => String(e.detail.file));
    assert.deepEqual(misses, [], 'no missing file on the timeline');
    assert.match(vm.console(), /Secure boot enabled/, 'the guest kernel reports Secure Boot on');
  } finally {
    await lab.dispose();
  }
});
