// 4) Discovery: two unknown VMs PXE-boot the discovery environment, report their hardware and
// wait. One carries the serial of a host registered without a MAC and is matched by bootd at
// once; the other is claimed by an operator through the domain function behind
// POST /api/v1/discovered/{mac}/claim. Both then reboot into their role and report up, with
// nobody touching them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QemuLab, heavySkipReason, bootTimeoutMs, missingStep, timelineByMac } from './qemu-lab.ts';

const skip = heavySkipReason();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('unknown VMs are discovered, matched by serial or claimed, and boot their role to up', { skip: skip ?? false, timeout: 900_000 }, async () => {
  const lab = await QemuLab.start({ role: { rootMode: 'ram' } });
  try {
    const matchedId = await lab.addHost({ hostname: 'pre01', mac: null, ip: '10.66.0.21', serial: 'FB-SERIAL-0001' });
    const claimedId = await lab.addHost({ hostname: 'pre02', mac: null, ip: '10.66.0.22' });
    await lab.startBootd();
    const macA = '52:54:00:6e:0d:01';
    const macB = '52:54:00:6e:0d:02';
    const vmA = lab.startVm({ name: 'unknownA', mac: macA, firmware: 'bios', smbios: { serial: 'FB-SERIAL-0001', vendor: 'Fleetboot Lab', product: 'QEMU PXE' } });
    const vmB = lab.startVm({ name: 'unknownB', mac: macB, firmware: 'bios', smbios: { serial: 'Not Specified', product: 'QEMU PXE' } });

    // B waits in discovery: its facts arrive, and it stays unclaimed until we act.
    const deadline = Date.now() + bootTimeoutMs(lab.accel, 2);
    let facts: Record<string, unknown> | null = null;
    while (!facts) {
      const r = await lab.pool.query(`SELECT facts FROM "DiscoveredMachine" WHERE mac = $1 AND facts ? 'cpus'`, [macB]);
      facts = r.rows[0]?.facts ?? null;
      if (Date.now() > deadline) throw new Error(`no discovery facts from ${macB}:\n${vmB.console().slice(-3000)}\n${lab.bootdLog.slice(-2000)}`);
      if (!facts) await sleep(500);
    }
    assert.equal(facts.product, 'QEMU PXE');
    assert.equal(facts.cpus, 1);
    assert.ok(Number(facts.memoryKib) > 400_000, `memory reported: ${facts.memoryKib} KiB`);
    assert.ok((facts.nics as Array<{ mac: string }>).some((n) => n.mac === macB), 'its NIC and MAC are in the facts');
    assert.equal((await lab.hostState(claimedId)).state, 'registered', 'a placeholder serial matched nothing');

    // The operator claims B (the API route's domain function, with an operator as actor).
    process.env.DATABASE_URL = lab.db.url;
    const { claimDiscovered } = await import('../../server/discovery/queries.ts');
    const actor = { kind: 'user' as const, userId: '00000000-0000-4000-8000-0000000000e2', username: 'e2e-operator', role: 'operator' as const };
    const claimed = await claimDiscovered(actor, macB.toUpperCase().replace(/:/g, '-'), { hostId: claimedId });
    assert.equal(claimed.mac, macB);

    const [msA, msB] = await Promise.all([lab.waitForState(matchedId, 'up', vmA, bootTimeoutMs(lab.accel, 4)), lab.waitForState(claimedId, 'up', vmB, bootTimeoutMs(lab.accel, 4))]);
    console.log(`# discovery → matched by serial → up: ${(msA / 1000).toFixed(1)} s; discovery → claimed → up: ${(msB / 1000).toFixed(1)} s (${lab.accel})`);

    const a = await timelineByMac(lab, macA);
    const problemA = missingStep(a, [
      { source: 'dhcp', type: 'ack' },
      { source: 'agent', type: 'discovery-wait' },
      { source: 'agent', type: 'discovered' },
      { source: 'agent', type: 'matched' },
      { source: 'agent', type: 'claimed' },
      { source: 'dhcp', type: 'ack' },
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'root-mounted' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problemA, null, problemA ?? '');
    const b = await timelineByMac(lab, macB);
    const problemB = missingStep(b, [
      { source: 'agent', type: 'discovery-wait' },
      { source: 'agent', type: 'discovered' },
      { source: 'agent', type: 'claimed' },
      { source: 'dhcp', type: 'ack' },
      { source: 'agent', type: 'network-up' },
      { source: 'agent', type: 'up' },
    ]);
    assert.equal(problemB, null, problemB ?? '');
    assert.equal(b.some((e) => e.type === 'matched'), false, 'B was claimed by hand, not matched');
    const hostA = await lab.pool.query(`SELECT mac FROM "Host" WHERE id = $1`, [matchedId]);
    assert.equal(hostA.rows[0].mac, macA);
    const audit = await lab.pool.query(`SELECT actor, action FROM "AuditLog" WHERE entity = 'host' AND "entityId" = $1`, [claimedId]);
    assert.deepEqual(audit.rows, [{ actor: 'e2e-operator', action: 'claim' }]);
  } finally {
    await lab.dispose();
  }
});
