// Boot sessions, host state, stalls and retention, with events through bootd's real ingest path
// (EventWriter into a real Postgres): what the host's page and the fleet view show.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { EventWriter } from '../events/event-writer.ts';
import { EventStore } from '../store/events.ts';
import { sessionGapSeconds } from '../events/boot-sessions.ts';
import { pruneOldEvents } from '../events/event-retention.ts';
import { watchHostsOnce } from '../events/stall-watch.ts';
import { Metrics } from '../metrics.ts';
import { midTransferIndex, simulatedBootSteps } from '../testing/simulated-boot.ts';
import { createTestDatabase, type TestDatabase } from '../../server/db/testing.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let db: TestDatabase;
let pool: pg.Pool;
let metrics: Metrics;
let writer: EventWriter;
let stateDir: string;
before(async () => {
  db = await createTestDatabase('boot_sessions');
  pool = new pg.Pool({ connectionString: db.url });
  metrics = new Metrics();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sessions-'));
  writer = new EventWriter({ store: new EventStore(pool), stateDir, log: quiet, metrics });
});
after(async () => {
  await writer.close();
  await pool.end();
  await db.drop();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

let macCounter = 0;
async function addHost(stallSeconds = 300): Promise<{ id: string; mac: string }> {
  macCounter++;
  const mac = `52:54:00:10:00:${macCounter.toString(16).padStart(2, '0')}`;
  const role = await pool.query(`INSERT INTO "Role" (id, name, "stallSeconds", "updatedAt") VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id`, [`role-${macCounter}`, stallSeconds]);
  const host = await pool.query(`INSERT INTO "Host" (id, hostname, mac, "roleId", "updatedAt") VALUES (gen_random_uuid(), $1, $2, $3, now()) RETURNING id`, [`node-${macCounter}`, mac, role.rows[0].id]);
  return { id: host.rows[0].id, mac };
}

/** Records steps one second apart starting at `start`. */
function record(steps: ReturnType<typeof simulatedBootSteps>, start: Date): Date {
  let t = start.getTime();
  for (const s of steps) writer.record({ ...s, at: new Date((t += 1000)) });
  return new Date(t);
}

const hostRow = async (id: string) => (await pool.query(`SELECT state::text, "statePhase" FROM "Host" WHERE id = $1`, [id])).rows[0];
const sessionsOf = async (id: string) => (await pool.query(`SELECT id, phase, outcome, "startedAt", "endedAt" FROM "BootSession" WHERE "hostId" = $1 ORDER BY "startedAt"`, [id])).rows;

test('a full boot is one session that ends up, and every event carries it', async () => {
  const host = await addHost();
  const steps = simulatedBootSteps({ hostId: host.id, mac: host.mac });
  record(steps, new Date(Date.now() - 60_000));
  await writer.flush();
  const sessions = await sessionsOf(host.id);
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0].phase, 'up');
  assert.equal(sessions[0].outcome, 'up');
  const events = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT "sessionId")::int AS s FROM "BootEvent" WHERE "hostId" = $1 AND type <> 'host-state'`, [host.id]);
  assert.deepEqual(events.rows[0], { n: steps.length, s: 1 });
  assert.deepEqual(await hostRow(host.id), { state: 'up', statePhase: 'up' });
  assert.equal(metrics.get('fleetboot_boots_total', { outcome: 'up' }), 1);
});

test('a DISCOVER after up starts the next session; host-state events follow each phase', async () => {
  const host = await addHost();
  const t = record(simulatedBootSteps({ hostId: host.id, mac: host.mac }), new Date(Date.now() - 120_000));
  await writer.flush();
  // The second boot arrives step by step, as it does on the wire (a batch holding a whole boot,
  // like the first, records only where it ended).
  let at = t.getTime();
  for (const step of simulatedBootSteps({ hostId: host.id, mac: host.mac, fail: true })) {
    writer.record({ ...step, at: new Date((at += 1000)) });
    await writer.flush();
  }
  const sessions = await sessionsOf(host.id);
  assert.deepEqual(sessions.map((s) => s.outcome), ['up', 'failed']);
  assert.equal((await hostRow(host.id)).state, 'failed');
  const states = await pool.query(`SELECT concat(detail->>'state', ':', detail->>'phase') AS s FROM "BootEvent" WHERE "hostId" = $1 AND type = 'host-state' ORDER BY seq`, [host.id]);
  assert.deepEqual(states.rows.map((r) => r.s), ['up:up', 'booting:dhcp', 'booting:bootloader', 'booting:kernel', 'booting:initrd', 'booting:rootfs', 'failed:rootfs']);
});

test('a boot that stops mid-transfer is marked stalled at its last phase, and resumes on progress', async () => {
  const host = await addHost(30);
  const steps = simulatedBootSteps({ hostId: host.id, mac: host.mac });
  const cut = midTransferIndex(steps, 'rootfs');
  const start = new Date(Date.now() - 10_000);
  const last = record(steps.slice(0, cut), start);
  await writer.flush();
  assert.deepEqual(await hostRow(host.id), { state: 'booting', statePhase: 'rootfs' });

  const watch = { store: new EventStore(pool), metrics, offlineSeconds: 3600 };
  assert.equal((await watchHostsOnce(watch, new Date(last.getTime() + 29_000))).stalled, 0, 'not before the role\'s stallSeconds');
  assert.equal((await watchHostsOnce(watch, new Date(last.getTime() + 31_000))).stalled, 1);
  assert.deepEqual(await hostRow(host.id), { state: 'stalled', statePhase: 'rootfs' });
  assert.equal((await sessionsOf(host.id))[0].outcome, 'stalled');
  assert.equal((await watchHostsOnce(watch, new Date(last.getTime() + 60_000))).stalled, 0, 'marked once');

  record(steps.slice(cut), last);
  await writer.flush();
  const sessions = await sessionsOf(host.id);
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0].outcome, 'up');
  assert.equal((await hostRow(host.id)).state, 'up');
});

test('a host not heard from for offlineSeconds goes offline; one heard from again comes back', async () => {
  const host = await addHost();
  const last = record(simulatedBootSteps({ hostId: host.id, mac: host.mac }), new Date(Date.now() - 100_000));
  await writer.flush();
  const pass = await watchHostsOnce({ store: new EventStore(pool), metrics, offlineSeconds: 50 }, new Date());
  assert.ok(pass.offline >= 1);
  assert.equal((await hostRow(host.id)).state, 'offline');
  writer.record({ hostId: host.id, mac: host.mac, source: 'dhcp', type: 'request', detail: { form: 'renewing' }, at: new Date(last.getTime() + 60_000) });
  await writer.flush();
  assert.equal((await hostRow(host.id)).state, 'up');
});

test('retention deletes events and ended sessions older than the horizon, in bounded batches', async () => {
  const host = await addHost();
  record(simulatedBootSteps({ hostId: host.id, mac: host.mac }), new Date(Date.now() - 40 * 86_400_000));
  await writer.flush();
  const before = Number((await pool.query(`SELECT count(*) FROM "BootEvent" WHERE "hostId" = $1`, [host.id])).rows[0].count);
  assert.ok(before > 20);
  const pruned = await pruneOldEvents({ store: new EventStore(pool), retentionDays: 30, batchRows: 7 });
  assert.equal(pruned.events, before);
  assert.equal(pruned.sessions, 1);
  assert.equal(Number((await pool.query(`SELECT count(*) FROM "BootEvent" WHERE "hostId" = $1`, [host.id])).rows[0].count), 0);
});

test('metrics: boots by outcome, boot duration histogram, event lag, hosts and leases by state', async () => {
  await watchHostsOnce({ store: new EventStore(pool), metrics, offlineSeconds: 3600 }, new Date());
  const text = metrics.render();
  for (const line of [
    /^fleetboot_boots_total\{outcome="up"\} \d+$/m,
    /^fleetboot_boot_duration_seconds_bucket\{outcome="up",le="60"\} \d+$/m,
    /^fleetboot_boot_duration_seconds_count\{outcome="failed"\} \d+$/m,
    /^fleetboot_event_lag_seconds_bucket\{le="\+Inf"\} \d+$/m,
    /^fleetboot_hosts\{state="up"\} \d+$/m,
    /^fleetboot_dhcp_leases\{state="bound"\} \d+$/m,
  ]) assert.match(text, line);
});

test('two writers on one database (two bootd) keep one session per boot', async () => {
  const host = await addHost();
  const other = new EventWriter({ store: new EventStore(pool), stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sessions-')), log: quiet, metrics: new Metrics() });
  try {
    let at = Date.now() - 60_000;
    // Each writer's remembered sessions go stale whenever the other commits: neither may fork the boot.
    for (const [i, step] of simulatedBootSteps({ hostId: host.id, mac: host.mac }).entries()) {
      const w = i % 2 === 0 ? writer : other;
      w.record({ ...step, at: new Date((at += 1000)) });
      await w.flush();
    }
  } finally {
    await other.close();
  }
  const sessions = await sessionsOf(host.id);
  assert.deepEqual(sessions.map((s) => [s.phase, s.outcome]), [['up', 'up']]);
  assert.deepEqual(await hostRow(host.id), { state: 'up', statePhase: 'up' });
});

test('events keep flowing for a machine whose host was deleted mid-boot', async () => {
  const host = await addHost();
  const steps = simulatedBootSteps({ hostId: host.id, mac: host.mac });
  const cut = midTransferIndex(steps, 'kernel');
  const last = record(steps.slice(0, cut), new Date(Date.now() - 60_000));
  await writer.flush();
  // Deleting the host deletes its sessions (cascade), which the writer still remembers.
  await pool.query(`DELETE FROM "Host" WHERE id = $1`, [host.id]);
  record(steps.slice(cut).map((s) => ({ ...s, hostId: null })), last);
  await writer.flush();
  assert.equal(writer.pending(), 0, 'nothing left in memory or spooled');
  const rows = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT "sessionId")::int AS s FROM "BootEvent" WHERE mac = $1`, [host.mac]);
  assert.deepEqual(rows.rows[0], { n: steps.length - cut, s: 1 });
});

test('FLEETBOOT_SESSION_GAP_SECONDS: a firmware DISCOVER after the quiet gap starts a new boot', async () => {
  assert.equal(sessionGapSeconds({}), 600);
  assert.equal(sessionGapSeconds({ FLEETBOOT_SESSION_GAP_SECONDS: '90' }), 90);
  assert.throws(() => sessionGapSeconds({ FLEETBOOT_SESSION_GAP_SECONDS: 'soon' }), /FLEETBOOT_SESSION_GAP_SECONDS/);
  const short = new EventWriter({ store: new EventStore(pool), stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'fb-sessions-')), log: quiet, metrics: new Metrics(), sessionGapSeconds: 60 });
  try {
    const host = await addHost(3600);
    const [discover] = simulatedBootSteps({ hostId: host.id, mac: host.mac });
    const t = Date.now() - 600_000;
    short.record({ ...discover!, at: new Date(t) });
    short.record({ ...discover!, at: new Date(t + 30_000) });
    short.record({ ...discover!, at: new Date(t + 150_000) });
    await short.flush();
    assert.equal((await sessionsOf(host.id)).length, 2, 'the 30 s repeat is the same boot; 150 s later is a new one');
  } finally {
    await short.close();
  }
});
