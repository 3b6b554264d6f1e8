// The role's health check as a command (Role.healthCheck): the agent writes it into the booted
// root and the up hook runs it after the image's own check. One BIOS VM boots twice: with a
// command that fails the host ends `failed`, never `up`, and its timeline says which command
// failed and how; with a command that passes (run in the booted root) the next boot is `up`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, bootLabSkipReason } from './qemu-lab.ts';

const skip = bootLabSkipReason();

test('a failing role health command keeps the host from up and says why; a passing one lets it up', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram', bootLoader: 'pxelinux' } });
  try {
    const mac = '52:54:00:6e:0e:01';
    const hostId = await lab.addHost({ hostname: 'health01', mac, ip: '10.66.0.13' });
    await lab.pool.query(`UPDATE "Role" SET "healthCheck" = 'test -e /nonexistent' WHERE id = $1`, [lab.sample.roleId]);
    await lab.startBootd();

    const first = lab.startVm({ name: 'health01-a', mac, firmware: 'bios' });
    const ms = await lab.waitForState(hostId, 'failed', first);
    console.log(`# boot to failed health check: ${(ms / 1000).toFixed(1)} s (${lab.accel})`);
    const events = await lab.timeline(hostId);
    assert.equal(events.filter((e) => e.source === 'agent' && e.type === 'up').length, 0, 'never up');
    const failed = events.find((e) => e.source === 'agent' && e.type === 'failed');
    assert.ok(failed, `a failed event on the timeline: ${events.map((e) => `${e.source}:${e.type}`).join(' → ')}`);
    assert.equal(failed.detail.phase, 'health-check');
    assert.equal(failed.detail.reason, 'the role\'s health check `test -e /nonexistent` exited 1');
    assert.deepEqual(failed.detail.health, { ok: false, check: 'role', command: 'test -e /nonexistent', exitStatus: 1, output: '' });
    await lab.stopVm(first);

    // A command that passes, and only in the booted root (the agent's hook is there).
    await lab.pool.query(`UPDATE "Role" SET "healthCheck" = 'test -s /.fleetboot/agent.env' WHERE id = $1`, [lab.sample.roleId]);
    const second = lab.startVm({ name: 'health01-b', mac, firmware: 'bios' });
    await lab.waitForState(hostId, 'up', second);
    const up = (await lab.timeline(hostId)).filter((e) => e.source === 'agent' && e.type === 'up');
    assert.equal(up.length, 1);
    assert.deepEqual(up[0]!.detail.health, { ok: true });
  } finally {
    await lab.dispose();
  }
});
