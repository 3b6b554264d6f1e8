// UEFI PXE over IPv6: OVMF with its IPv4 PXE turned off (fw_cfg IPv4PXESupport = n) boots
// through its PXEv6 first. It solicits with DHCPv6 (client architecture 7, RFC 5970 option
// 61) and bootd answers from the boot network's IPv6 pool with a bootfile-url (option 59)
// tftp://[fd66::1]/grubx64.efi; Debian's network GRUB then reads grub/grub.cfg (the host's
// config, found by the address DHCPv6 leased it: Lease6), the kernel and the initrd over
// TFTP/IPv6. The boot agent in the initrd still brings its network up with DHCPv4 (the lab
// network is dual-stack), fetches its identity and the root over HTTP, and the host is up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, missingStep, networkId, secureBootLabSkipReason } from './qemu-lab.ts';

const skip = secureBootLabSkipReason();
const address6 = 'fd66::1';

test('OVMF PXE over IPv6 (no IPv4 PXE) boots a role to up: DHCPv6 bootfile-url, GRUB, kernel and initrd over TFTP/IPv6', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', uefiBootChain: 'ipxe' } });
  try {
    // The lab bridge carries fd66::1/64 (router advertisements): the boot network's IPv6 side.
    await lab.pool.query(`UPDATE "Network" SET "ipv6Prefix" = 'fd66::/64', "ipv6PoolStart" = 'fd66::1000', "ipv6PoolEnd" = 'fd66::10ff', "ipv6BootServer" = $2 WHERE id = $1`,
      [networkId, address6]);
    const mac = '52:54:00:6b:00:01';
    const hostId = await lab.addHost({ hostname: 'v601', mac, ip: '10.66.0.61' });
    await lab.startBootd();
    const vm = lab.startVm({ name: 'v601', mac, firmware: 'uefi', netBoot: 'pxe6' });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# UEFI PXE over IPv6, GRUB over TFTP/IPv6, ram boot to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'dhcp6', type: 'reply' },
      { source: 'tftp', type: 'transfer-done', file: /^grubx64\.efi$/ },
      { source: 'tftp', type: 'transfer-done', file: /^grub\/grub\.cfg/ },
      { source: 'tftp', type: 'transfer-done', file: /^images\/.+\/kernel$/ },
      { source: 'tftp', type: 'transfer-done', file: /^images\/.+\/initrd$/ },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    const reply = events.find((e) => e.source === 'dhcp6' && e.type === 'reply');
    assert.equal(reply?.detail.bootFile, `tftp://[${address6}]/grubx64.efi`, `the DHCPv6 Reply named GRUB over TFTP/IPv6: ${JSON.stringify(reply?.detail)}`);
    const transfers = events.filter((e) => e.source === 'tftp' && e.type === 'transfer-done');
    assert.ok(transfers.length >= 4 && transfers.every((e) => String(e.detail.clientIp).startsWith('fd66::')),
      `every TFTP transfer went to the VM's DHCPv6 address: ${transfers.map((e) => `${String(e.detail.file)}@${String(e.detail.clientIp)}`).join(', ')}`);
    // The firmware's DHCPv6 lease was committed to Lease6; it is 'released' by the time the
    // host is up (seen here: the PXE stack gives its address back once GRUB has taken over).
    const leases = await lab.pool.query<{ address: string; state: string }>(`SELECT address, state::text AS state FROM "Lease6" WHERE mac = $1`, [mac]);
    assert.ok(leases.rows.length >= 1, 'the VM\'s DHCPv6 lease is in Lease6');
    for (const lease of leases.rows) {
      assert.match(lease.address, /^fd66::10[0-9a-f]{2}$/, 'from the network\'s IPv6 pool');
      assert.ok(['bound', 'released'].includes(lease.state), `Lease6 state ${lease.state}`);
    }
    assert.equal(events.filter((e) => e.source === 'dhcp' && e.type === 'ack').length >= 1, true, 'the agent took its address with DHCPv4 (dual-stack lab)');
  } finally {
    await lab.dispose();
  }
});
