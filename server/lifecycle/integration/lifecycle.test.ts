// The image lifecycle's state machines on a real database, driven tick by tick with a
// controlled clock; bootd's part (the agent's "up" / "failed" reports) is written as the
// BootEvent rows bootd writes. The QEMU lab (e2e/boot/image-lifecycle.test.ts) runs the same
// with real VMs; this suite covers the rules: which spare, when the gate passes or fails, that
// a failed gate changes nothing else, batches and the boot limit, failures stop a rollout,
// pause/resume/abort, rollback, and a worker restart resuming from the database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import type { PrismaClient } from '@prisma/client';
import { createTestDatabase, type TestDatabase } from '../../db/testing.ts';
import type { Actor } from '../../auth/actor.ts';
import type { BootRequest } from '../boot-host.ts';
import type { HealthResult } from '../health-check.ts';

let tdb: TestDatabase;
let prisma: PrismaClient;
let lifecycle: {
  stage: typeof import('../stage.ts');
  rollout: typeof import('../rollout.ts');
  worker: typeof import('../worker.ts');
};

const actor: Actor = { kind: 'user', userId: randomUUID(), username: 'tester', role: 'operator' };
let clockMs = Date.parse('2026-11-26T10:00:00Z');
const now = () => new Date(clockMs);
const advance = (seconds: number) => { clockMs += seconds * 1000; };
let rebooted: string[] = [];
let probeResult: HealthResult = { ok: true };
const probed: string[] = [];

function newWorker() {
  return lifecycle.worker.createLifecycleWorker({
    now,
    reboot: async (h): Promise<BootRequest> => {
      rebooted.push(h.hostname);
      return h.bmcAddress ? { method: 'ipmi', done: 'cycled' } : { method: 'manual', reason: `${h.hostname} has no BMC: reboot it by hand` };
    },
    probe: async (url) => { probed.push(url); return probeResult; },
    log: (m, err) => { throw new Error(`${m}: ${String(err)}`); },
  });
}

before(async () => {
  tdb = await createTestDatabase('lifecycle');
  process.env.DATABASE_URL = tdb.url;
  lifecycle = { stage: await import('../stage.ts'), rollout: await import('../rollout.ts'), worker: await import('../worker.ts') };
  prisma = (await import('../../db/client.ts')).db();
});
after(async () => {
  await prisma?.$disconnect();
  await tdb?.drop();
});
beforeEach(async () => {
  rebooted = [];
  probeResult = { ok: true };
  // Each test watches only its own world: what earlier tests left live is ended.
  await prisma.imageStage.updateMany({ where: { state: { in: ['powering', 'waiting_manual', 'booting', 'checking'] } }, data: { state: 'cancelled' } });
  await prisma.rollout.updateMany({ where: { state: { in: ['running', 'paused'] } }, data: { state: 'aborted' } });
});

let n = 0;
const uniq = (p: string) => `${p}-${++n}`;

async function world(opts: { hosts?: number; spares?: number; bmc?: boolean; healthCheck?: string; batchSize?: number; maxConcurrent?: number } = {}) {
  const role = await prisma.role.create({ data: { name: uniq('role'), rootMode: 'nfs', nfsExport: '10.0.0.1:/r', healthCheck: opts.healthCheck ?? null, rolloutBatchSize: opts.batchSize ?? 2, rolloutMaxConcurrent: opts.maxConcurrent ?? 2 } });
  const artifact = await prisma.artifact.upsert({ where: { sha256: 'a'.repeat(64) }, create: { sha256: 'a'.repeat(64), sizeBytes: 1n, path: '/dev/null' }, update: {} });
  const mk = (version: string, status: 'ready' | 'active') => prisma.image.create({ data: { roleId: role.id, version, status, kernelSha256: artifact.sha256, initrdSha256: artifact.sha256 } });
  const old = await mk('v1', 'active');
  const candidate = await mk('v2', 'ready');
  await prisma.role.update({ where: { id: role.id }, data: { activeImageId: old.id } });
  const mac = () => `02:00:00:${[n >> 16, n >> 8, n].map((x) => (x & 255).toString(16).padStart(2, '0')).join(':')}`;
  const mkHost = (spare: boolean, i: number) => { n += 1; return prisma.host.create({ data: { hostname: uniq(`${spare ? 'spare' : 'web'}${i}`), mac: mac(), ip: `10.9.${n >> 8 & 255}.${n & 255}`, roleId: role.id, spare, state: 'up', ...(opts.bmc === false ? {} : { bmcAddress: '127.0.0.1:1', bmcUser: 'u', bmcPasswordEnc: 'v1.x.y.z' }) } }); };
  const spares = [];
  for (let i = 0; i < (opts.spares ?? 1); i++) spares.push(await mkHost(true, i));
  const hosts = [];
  for (let i = 0; i < (opts.hosts ?? 0); i++) hosts.push(await mkHost(false, i));
  return { role, old, candidate, spares, hosts };
}

/** What bootd writes when the agent reports: an agent event after the current clock. */
async function report(hostId: string, type: 'up' | 'failed', detail: Record<string, unknown> = {}) {
  advance(1);
  await prisma.bootEvent.create({ data: { id: randomUUID(), hostId, source: 'agent', type, at: now(), detail: detail as object } });
}

const imageStatus = async (id: string) => (await prisma.image.findUniqueOrThrow({ where: { id } })).status;
const roleOf = async (id: string) => prisma.role.findUniqueOrThrow({ where: { id } });

test('stage: an idle spare of the role gets the candidate, is power-cycled, comes up → verified; the role is untouched', async () => {
  const w = await world();
  const worker = newWorker();
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  assert.deepEqual([stage.hostId, stage.state, await imageStatus(w.candidate.id)], [w.spares[0]!.id, 'powering', 'trial']);
  assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: w.spares[0]!.id } })).imageOverrideId, w.candidate.id);
  await worker.tick();
  assert.deepEqual([rebooted, (await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state], [[w.spares[0]!.hostname], 'booting']);
  await report(w.spares[0]!.id, 'up', { health: { ok: true } });
  await worker.tick();
  assert.deepEqual([(await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, await imageStatus(w.candidate.id), (await roleOf(w.role.id)).activeImageId], ['verified', 'verified', w.old.id]);
});

test('an "up" from before the reboot doesn\'t count', async () => {
  const w = await world();
  await report(w.spares[0]!.id, 'up');
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  const worker = newWorker();
  await worker.tick();
  await worker.tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'booting');
});

test('a broken candidate (never up) fails the gate at its deadline: image failed, spare back to its image, role untouched', async () => {
  const w = await world();
  const worker = newWorker();
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 60 }, now());
  await worker.tick();
  advance(30);
  await worker.tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'booting');
  advance(31);
  await worker.tick();
  const after = await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } });
  assert.deepEqual([after.state, await imageStatus(w.candidate.id), (await prisma.host.findUniqueOrThrow({ where: { id: w.spares[0]!.id } })).imageOverrideId, (await roleOf(w.role.id)).activeImageId], ['failed', 'failed', null, w.old.id]);
  assert.match(after.reason!, /did not report up/);
});

test('up with a failed health check (the agent ran the image\'s check) → failed', async () => {
  const w = await world();
  const worker = newWorker();
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  await worker.tick();
  await report(w.spares[0]!.id, 'up', { health: { ok: false, output: 'httpd not answering' } });
  await worker.tick();
  const after = await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } });
  assert.deepEqual([after.state, after.reason], ['failed', 'up, but its health check failed: httpd not answering']);
});

test('a role with a URL health check: checked with the spare\'s address until it passes', async () => {
  const w = await world({ healthCheck: 'http://{ip}:8080/health?h={hostname}' });
  const worker = newWorker();
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  await worker.tick();
  await report(w.spares[0]!.id, 'up');
  probeResult = { ok: false, reason: 'answered 503' };
  await worker.tick();
  await worker.tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'checking');
  probeResult = { ok: true };
  await worker.tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'verified');
  assert.equal(probed.at(-1), `http://${w.spares[0]!.ip}:8080/health?h=${w.spares[0]!.hostname}`);
});

test('a spare without a BMC: the stage asks for a reboot by hand and waits; the up after it passes', async () => {
  const w = await world({ bmc: false });
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  assert.deepEqual([stage.state, stage.reason], ['waiting_manual', `${w.spares[0]!.hostname} has no BMC: reboot it by hand`]);
  const worker = newWorker();
  await worker.tick();
  assert.deepEqual(rebooted, []);
  await report(w.spares[0]!.id, 'up');
  await worker.tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'verified');
});

test('a restart mid-gate: a new worker resumes the stage from the database', async () => {
  const w = await world();
  const first = newWorker();
  const stage = await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  await first.tick();
  await first.stop();
  await report(w.spares[0]!.id, 'up');
  await newWorker().tick();
  assert.equal((await prisma.imageStage.findUniqueOrThrow({ where: { id: stage.id } })).state, 'verified');
  assert.deepEqual(rebooted, [w.spares[0]!.hostname], 'the spare was not rebooted a second time');
});

test('a spare already in a live stage is not picked twice; no idle spare → 409', async () => {
  const w = await world();
  await lifecycle.stage.stageImage(actor, w.candidate.id, { timeoutSeconds: 600 }, now());
  const third = await prisma.image.create({ data: { roleId: w.role.id, version: 'v3', status: 'ready', kernelSha256: 'a'.repeat(64), initrdSha256: 'a'.repeat(64) } });
  await assert.rejects(lifecycle.stage.stageImage(actor, third.id, { hostId: w.spares[0]!.id, timeoutSeconds: 600 }, now()), (e: any) => e.code === 'conflict' && e.field === 'hostId');
});

async function verified(w: Awaited<ReturnType<typeof world>>) {
  await prisma.image.update({ where: { id: w.candidate.id }, data: { status: 'verified' } });
}

async function rolloutHosts(id: string) {
  return prisma.rolloutHost.findMany({ where: { rolloutId: id }, include: { host: true }, orderBy: { host: { hostname: 'asc' } } });
}

test('promote + rollout of 4 hosts in batches of 2: never more than 2 in flight, batch 2 only after batch 1 is up', async () => {
  const w = await world({ hosts: 4, batchSize: 2, maxConcurrent: 2 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  const role = await roleOf(w.role.id);
  assert.deepEqual([role.activeImageId, role.previousImageId, await imageStatus(w.candidate.id), await imageStatus(w.old.id)], [w.candidate.id, w.old.id, 'active', 'retired']);
  const worker = newWorker();
  await worker.tick();
  const names = w.hosts.map((h) => h.hostname).sort();
  assert.deepEqual(rebooted, names.slice(0, 2));
  await worker.tick();
  assert.deepEqual(rebooted, names.slice(0, 2), 'batch 2 waits for batch 1');
  for (const h of (await rolloutHosts(rollout!.id)).slice(0, 2)) await report(h.hostId, 'up');
  await worker.tick(); // batch 1 done → batch 2
  await worker.tick();
  assert.deepEqual(rebooted, names);
  for (const h of (await rolloutHosts(rollout!.id)).slice(2)) await report(h.hostId, 'up');
  await worker.tick();
  const done = await prisma.rollout.findUniqueOrThrow({ where: { id: rollout!.id } });
  assert.deepEqual([done.state, (await rolloutHosts(rollout!.id)).map((h) => h.state)], ['completed', ['up', 'up', 'up', 'up']]);
});

test('max concurrent boots 1 inside a batch of 2: one host at a time', async () => {
  const w = await world({ hosts: 2, batchSize: 2, maxConcurrent: 1 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  const worker = newWorker();
  await worker.tick();
  await worker.tick();
  assert.equal(rebooted.length, 1);
  await report((await rolloutHosts(rollout!.id)).find((h) => h.state === 'rebooting')!.hostId, 'up');
  await worker.tick();
  assert.equal(rebooted.length, 2);
});

test('a rollout keeps to the fleet-wide boot-storm limit: boots of a bulk power action count against it', async () => {
  const w = await world({ hosts: 2, batchSize: 2, maxConcurrent: 2 });
  const others = await world({ hosts: 2 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  // Someone power-cycled two other hosts in bulk a moment ago; they are still booting.
  const bulk = await prisma.bulkPowerAction.create({ data: { action: 'cycle', maxConcurrentBoots: 2, hostTimeoutSeconds: 600, createdBy: 'tester' } });
  await prisma.bulkPowerHost.createMany({ data: others.hosts.map((h, i) => ({ bulkActionId: bulk.id, hostId: h.id, position: i, state: 'booting' as const, sentAt: now() })) });
  const saved = process.env.FLEETBOOT_MAX_CONCURRENT_BOOTS;
  process.env.FLEETBOOT_MAX_CONCURRENT_BOOTS = '3';
  try {
    const worker = newWorker();
    await worker.tick();
    await worker.tick();
    assert.equal(rebooted.length, 1, 'two bulk boots in flight leave one of the three fleet-wide slots');
    await prisma.bulkPowerHost.updateMany({ where: { bulkActionId: bulk.id }, data: { state: 'up', finishedAt: now() } });
    await worker.tick();
    assert.equal(rebooted.length, 2);
    assert.deepEqual((await rolloutHosts(rollout!.id)).map((h) => h.state), ['rebooting', 'rebooting']);
  } finally {
    if (saved === undefined) delete process.env.FLEETBOOT_MAX_CONCURRENT_BOOTS;
    else process.env.FLEETBOOT_MAX_CONCURRENT_BOOTS = saved;
    await prisma.bulkPowerAction.update({ where: { id: bulk.id }, data: { state: 'completed', finishedAt: now() } });
  }
});

test('the pause between batches is kept', async () => {
  const w = await world({ hosts: 2, batchSize: 1 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 120, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  const worker = newWorker();
  await worker.tick();
  await report((await rolloutHosts(rollout!.id))[0]!.hostId, 'up');
  await worker.tick();
  await worker.tick();
  assert.equal(rebooted.length, 1);
  advance(121);
  await worker.tick();
  assert.equal(rebooted.length, 2);
});

test('a rollout stops once N hosts failed; the rest are not rebooted', async () => {
  const w = await world({ hosts: 4, batchSize: 2 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 60 }, now());
  const worker = newWorker();
  await worker.tick();
  const [first] = await rolloutHosts(rollout!.id);
  await report(first!.hostId, 'failed', { reason: 'rootfs checksum mismatch' });
  await worker.tick();
  const r = await prisma.rollout.findUniqueOrThrow({ where: { id: rollout!.id } });
  assert.deepEqual([r.state, r.failures, rebooted.length], ['failed', 1, 2]);
  assert.deepEqual((await rolloutHosts(rollout!.id)).map((h) => h.state), ['failed', 'rebooting', 'pending', 'pending']);
});

test('pause stops new boots, resume goes on, abort ends it', async () => {
  const w = await world({ hosts: 2, batchSize: 1 });
  await verified(w);
  const { rollout } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  await lifecycle.rollout.controlRollout(actor, rollout!.id, 'pause');
  const worker = newWorker();
  await worker.tick();
  assert.equal(rebooted.length, 0);
  await lifecycle.rollout.controlRollout(actor, rollout!.id, 'resume');
  await worker.tick();
  assert.equal(rebooted.length, 1);
  const aborted = await lifecycle.rollout.controlRollout(actor, rollout!.id, 'abort');
  await report((await rolloutHosts(rollout!.id))[0]!.hostId, 'up');
  await worker.tick();
  await worker.tick();
  assert.deepEqual([aborted.state, rebooted.length], ['aborted', 1]);
  await assert.rejects(lifecycle.rollout.controlRollout(actor, rollout!.id, 'resume'), (e: any) => e.code === 'conflict');
});

test('rollback: the previous image is active again and rolled out; a live rollout is aborted; all audited', async () => {
  const w = await world({ hosts: 2, batchSize: 2 });
  await verified(w);
  const { rollout: forward } = await lifecycle.rollout.promoteImage(actor, w.candidate.id, { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 600 }, now());
  const { rollout: back } = await lifecycle.rollout.rollbackRole(actor, w.role.id, undefined, now());
  const role = await roleOf(w.role.id);
  assert.deepEqual([role.activeImageId, role.previousImageId, await imageStatus(w.old.id), await imageStatus(w.candidate.id)], [w.old.id, w.candidate.id, 'active', 'retired']);
  assert.deepEqual([(await prisma.rollout.findUniqueOrThrow({ where: { id: forward!.id } })).state, back!.kind, back!.imageId], ['aborted', 'rollback', w.old.id]);
  const worker = newWorker();
  await worker.tick();
  for (const h of await rolloutHosts(back!.id)) await report(h.hostId, 'up');
  await worker.tick();
  assert.equal((await prisma.rollout.findUniqueOrThrow({ where: { id: back!.id } })).state, 'completed');
  const actions = (await prisma.auditLog.findMany({ where: { OR: [{ entityId: w.role.id }, { entityId: back!.id }, { entityId: forward!.id }] }, orderBy: { id: 'asc' } })).map((a) => `${a.actor}:${a.action}`);
  assert.deepEqual(actions, ['tester:promote', 'tester:start-rollout', 'tester:rollback', 'tester:start-rollback', 'lifecycle:complete-rollout']);
});

test('promote refuses an image that has not passed its gate', async () => {
  const w = await world();
  await assert.rejects(lifecycle.rollout.promoteImage(actor, w.candidate.id, false, now()), (e: any) => e.code === 'conflict' && e.field === 'status');
});
