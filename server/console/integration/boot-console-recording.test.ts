// Boot console recording against the real database and real SOL (ipmi_sim on a loopback
// serial line, Debian's ipmitool): output from the power action on, held until the boot
// session opens, written to that boot in chunks, ended with the session; the cap keeps the
// newest output; the boot's console reads back in order, searchable; deleting the boot
// session deletes its console (retention).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../db/testing.ts';
import { ipmiSimSkipReason, startIpmiSim, type IpmiSim } from '../../power/testing/ipmi-sim-lab.ts';
import { startSerialLine, type SerialLine } from '../testing/serial-line.ts';

const skip = ipmiSimSkipReason();
if (skip) console.log(`# skipped: ${skip}`);

describe('boot console recording', { skip: skip ?? false }, () => {
  let tdb: TestDatabase;
  let sim: IpmiSim;
  let line: SerialLine;
  let hostId: string;
  // Imported after DATABASE_URL points at the test database.
  let mod: {
    db: typeof import('../../db/client.ts').db;
    queries: typeof import('../boot-console-queries.ts');
    consoles: import('../host-consoles.ts').HostConsoles;
    recorder: import('../boot-console-recorder.ts').BootConsoleRecorder;
  };

  before(async () => {
    tdb = await createTestDatabase('console-rec');
    process.env.DATABASE_URL = tdb.url;
    process.env.FLEETBOOT_SECRET_KEY = crypto.randomBytes(32).toString('base64');
    line = await startSerialLine();
    sim = await startIpmiSim({ solSerialPort: line.bmcPort });
    await line.bmcConnected(5_000);
    const { db } = await import('../../db/client.ts');
    const { encryptSecret } = await import('../../secrets/encryption.ts');
    const queries = await import('../boot-console-queries.ts');
    const { createHostConsoles } = await import('../console-service.ts');
    const { BootConsoleRecorder } = await import('../boot-console-recorder.ts');
    const host = await db().host.create({ data: { hostname: 'rec-1', mac: '02:00:00:00:20:01', bmcAddress: sim.address, bmcUser: sim.user, bmcPasswordEnc: encryptSecret(sim.password) } });
    hostId = host.id;
    const consoles = createHostConsoles(() => undefined);
    const recorder = new BootConsoleRecorder({ consoles, store: queries, pollMs: 60_000, flushMs: 200, maxCharsPerBoot: 4000, pendingMs: 60_000 });
    recorder.start();
    mod = { db, queries, consoles, recorder };
  });

  after(async () => {
    await mod?.recorder.stop();
    await mod?.consoles.closeAll();
    await mod?.db().$disconnect();
    await sim?.stop();
    await line?.stop();
    await tdb?.drop();
  });

  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const consoleText = async (sessionId: string) => (await mod.queries.readBootConsole(sessionId)).map((c) => c.text).join('');

  test('from the power action to the end of the boot session, the console is stored with the boot', async () => {
    const { db, recorder } = mod;
    // Fleetboot powered the host into a boot (as host-power.ts audits it).
    await db().auditLog.create({ data: { actor: 'op1', action: 'power', entity: 'host', entityId: hostId, after: { action: 'pxe-boot', ok: true, done: 'cycled' } } });
    await recorder.pollOnce();
    assert.deepEqual([...recorder.recording()], [[hostId, null]]);
    // The firmware prints before any DHCP DISCOVER: no boot session exists yet.
    await waitFor('the SOL session', async () => mod.consoles.stateOf(hostId) === 'open');
    line.write('\x1b[2J\x1b[01;01HSeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n');
    await new Promise((r) => setTimeout(r, 500));
    const session = await db().bootSession.create({ data: { hostId, mac: '02:00:00:00:20:01', phase: 'dhcp' } });
    await recorder.pollOnce();
    assert.deepEqual([...recorder.recording()], [[hostId, session.id]]);
    line.write('iPXE 1.21.1+ -- Open Source Network Boot Firmware\r\n');
    line.write('[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)\r\n');
    await waitFor('the kernel line stored', async () => (await consoleText(session.id)).includes('Linux version 6.1.0-28-amd64'));
    const text = await consoleText(session.id);
    assert.ok(text.startsWith('SeaBIOS (version 1.16.2-debian-1.16.2-1)\niPXE 1.21.1+'), JSON.stringify(text));
    await db().bootSession.update({ where: { id: session.id }, data: { endedAt: new Date(), outcome: 'up', phase: 'up' } });
    await recorder.pollOnce();
    assert.equal(recorder.recording().size, 0);
    line.write('after the boot ended\r\n');
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(!(await consoleText(session.id)).includes('after the boot ended'));
    const found = await mod.queries.searchHostConsoles(hostId, 'linux VERSION', 10);
    assert.deepEqual(found.map((f) => f.sessionId), [session.id]);
    const boots = await mod.queries.listRecordedBoots(hostId, 5);
    assert.deepEqual(boots.map((b) => [b.sessionId, b.outcome]), [[session.id, 'up']]);
  });

  test('a boot keeps at most its cap, newest output last; the boot session takes its console with it', async () => {
    const { db, recorder } = mod;
    const session = await db().bootSession.create({ data: { hostId, mac: '02:00:00:00:20:01', phase: 'dhcp' } });
    await recorder.pollOnce();
    for (let i = 0; i < 30; i++) {
      line.write(`line ${String(i).padStart(3, '0')} ${'x'.repeat(190)}\r\n`);
      await new Promise((r) => setTimeout(r, 60));
    }
    line.write('the last line\r\n');
    await waitFor('the last line stored', async () => (await consoleText(session.id)).includes('the last line'));
    const text = await consoleText(session.id);
    assert.ok(text.length <= 4000 + 400, `kept ${text.length} chars`);
    assert.ok(!text.includes('line 000'), 'the oldest output went first');
    await db().bootSession.delete({ where: { id: session.id } });
    assert.equal(await db().bootConsoleChunk.count({ where: { sessionId: session.id } }), 0);
    await recorder.pollOnce();
  });
});
