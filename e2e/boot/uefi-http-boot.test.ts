// UEFI HTTP boot: OVMF with its PXE turned off (fw_cfg IPv4PXESupport/IPv6PXESupport = n)
// has only its HTTP boot options left. It asks DHCP with client architecture 16 and vendor
// class "HTTPClient", and takes an offer only if it carries "HTTPClient" back (UEFI spec 2.10
// §24.7.2) and a boot file URL. An iPXE role gets http://…/ipxe.efi from bootd alone, and iPXE
// then runs its usual script. No TFTP at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, missingStep, type TimelineEvent } from './qemu-lab.ts';

const skip = bootLabSkipReason();

const firstAck = (events: readonly TimelineEvent[]) => events.find((e) => e.source === 'dhcp' && e.type === 'ack');

test('OVMF HTTP boot (no PXE) boots an iPXE role: ipxe.efi over HTTP, then its script, to up', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', uefiBootChain: 'ipxe' } });
  try {
    const mac = '52:54:00:4b:00:01';
    const hostId = await lab.addHost({ hostname: 'hb01', mac, ip: '10.66.0.41' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'hb01', mac, firmware: 'uefi', netBoot: 'http' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# UEFI HTTP boot, iPXE chain, ram boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    assert.equal(firstAck(events)?.detail.bootFile, 'http://10.66.0.1:8080/ipxe.efi', 'the firmware was answered as an HTTP boot client');
    assert.equal((firstAck(events)?.detail.traits as Record<string, unknown> | undefined)?.arch, 16);
    const problem = missingStep(events, [
      { source: 'dhcp', type: 'ack' },
      { source: 'http', type: 'transfer-done', file: /^ipxe\.efi$/ },
      { source: 'dhcp', type: 'ack' },
      { source: 'http', type: 'boot-config' },
      { source: 'http', type: 'transfer-done', file: /\/kernel$/ },
      { source: 'http', type: 'transfer-done', file: /\/initrd$/ },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    assert.equal(events.filter((e) => e.source === 'tftp').length, 0, 'nothing over TFTP');
  } finally {
    await lab.dispose();
  }
});
