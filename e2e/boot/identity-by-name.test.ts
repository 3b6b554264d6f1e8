// Identity by name and the lease keeper, on one VM whose MAC bootd doesn't know. Its boot entry
// is not bootd's (bootd's config for an unknown MAC is the discovery entry, which names no host
// and can't be edited at the pxelinux prompt): QEMU loads the agent's kernel and initrd itself
// with `fleetboot.host=named01`, as a USB stick or a local GRUB entry would. The agent gets a
// pool address, bootd knows it as named01 (registered without a MAC) and its reports land on
// that host, which reaches `up`. Then, with the network's lease time cut to 60 s, the booted
// system's lease keeper renews at T1: REQUEST/ACK renewals after `up`, and the Lease row's
// expiry moves forward while the host stays up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason, httpBaseUrl, labCmdlineTemplate, missingStep, networkId, timelineByMac, type TimelineEvent } from './qemu-lab.ts';

const skip = bootLabSkipReason();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leaseSeconds = 60;

const isPoolAddress = (ip: unknown) => typeof ip === 'string' && /^10\.66\.0\.(1[0-4]\d|150)$/.test(ip);

test('an unregistered VM booted with fleetboot.host= is that host, and its booted system keeps its pool lease', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram' } });
  try {
    await lab.pool.query(`UPDATE "Network" SET "leaseSeconds" = $1 WHERE id = $2`, [leaseSeconds, networkId]);
    const hostId = await lab.addHost({ hostname: 'named01', mac: null, ip: '10.66.0.41' });
    await lab.startBootd();
    const mac = '52:54:00:6e:0f:01';
    const append = `${labCmdlineTemplate.replace(/ fleetboot\.\S+/g, '')} fleetboot.host=named01 fleetboot.bootd=${httpBaseUrl}`;
    const vm = lab.startVm({ name: 'named01', mac, firmware: 'bios', direct: { kernel: lab.sample.kernel.path, initrd: lab.sample.initrd.path, append } });
    const ms = await lab.waitForState(hostId, 'up', vm);
    console.log(`# direct boot by name to up: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);

    const events = await lab.timeline(hostId);
    const problem = missingStep(events, [
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'identified-by-name' },
      { source: 'agent', type: 'identity' },
      { source: 'agent', type: 'rootfs-download' },
      { source: 'agent', type: 'switch-root' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problem, null, problem ?? '');
    const named = await lab.pool.query<{ mac: string; detail: Record<string, unknown> }>(`SELECT mac, detail FROM "BootEvent" WHERE "hostId" = $1 AND type = 'identified-by-name'`, [hostId]);
    assert.equal(named.rows[0]?.mac, mac, 'the event names the MAC bootd saw');
    const up = events.find((e) => e.type === 'up')!;
    assert.ok(isPoolAddress(up.detail.clientIp), `up came from a pool address: ${String(up.detail.clientIp)}`);
    const host = await lab.pool.query(`SELECT mac FROM "Host" WHERE id = $1`, [hostId]);
    assert.equal(host.rows[0].mac, null, 'bootd doesn\'t register the MAC by itself');

    // The lease keeper: renewals after up move the lease's expiry forward.
    const leaseOf = async () => (await lab.pool.query<{ ip: string; expiresAt: Date }>(`SELECT ip, "expiresAt" FROM "Lease" WHERE mac = $1 AND state = 'bound'`, [mac])).rows[0];
    const atUp = await leaseOf();
    assert.ok(atUp, 'a bound pool lease');
    assert.equal(atUp.ip, up.detail.clientIp, 'the address the agent reported from');
    const renewedAfterUp = (e: TimelineEvent) => e.source === 'dhcp' && e.type === 'ack' && e.detail.form === 'renewing' && e.at > up.at;
    const deadline = Date.now() + (leaseSeconds + 90) * 1000;
    let renewals: TimelineEvent[] = [];
    while (renewals.length < 2) {
      if (Date.now() > deadline) {
        const dhcp = (await timelineByMac(lab, mac)).filter((e) => e.source === 'dhcp').map((e) => `${e.type}(${String(e.detail.form ?? '')})`).join(' ');
        throw new Error(`fewer than two renewals after up in ${leaseSeconds + 90} s; DHCP: ${dhcp}\n--- console tail ---\n${vm.console().slice(-2000)}`);
      }
      await sleep(1000);
      renewals = (await timelineByMac(lab, mac)).filter(renewedAfterUp);
    }
    await sleep(500); // the renewal's Lease write is not on the reply path
    const renewed = await leaseOf();
    assert.equal(renewed?.ip, atUp.ip, 'the same address');
    assert.ok(renewed!.expiresAt > atUp.expiresAt, `expiry moved forward: ${atUp.expiresAt.toISOString()} → ${renewed?.expiresAt.toISOString()}`);
    assert.ok(renewals[1]!.at.getTime() - renewals[0]!.at.getTime() >= (leaseSeconds / 2 - 5) * 1000, 'renewed at T1 (half the lease), not in a loop');
    assert.equal((await lab.hostState(hostId)).state, 'up', 'the keeper\'s DHCP is no new boot');
  } finally {
    await lab.dispose();
  }
});
