// Promote, roll out, roll back (DESIGN.md "Image lifecycle"). Promote makes a verified image
// the role's active one (the old one kept as previous) and starts a rollout: the role's hosts
// reboot batch by batch, never more boots in flight than the policy's max, a pause between
// batches, and the rollout stops once N hosts failed. Rollback is one action: the previous
// image back as active, rolled out the same way. A Rollout row + one RolloutHost per host hold
// the state; advanceRollout() is one idempotent step the worker repeats.
import type { Prisma, Rollout, RolloutKind } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { countBootsInFlight, globalMaxConcurrentBoots, withBootClaimLock } from '../power/boot-claims.ts';
import { writeWorkerAudit } from '../audit/worker-audit.ts';
import type { HostRebooter } from './boot-host.ts';
import { findBootOutcome } from '../events/boot-outcome.ts';
import type { RolloutPolicyInput } from './schema.ts';

type Tx = Prisma.TransactionClient;
const liveRolloutStates = ['running', 'paused'] as const;
const defaultPolicy: RolloutPolicyInput = { pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 900 };

async function createRollout(tx: Tx, actor: Actor, roleId: string, imageId: string, kind: RolloutKind, policy: RolloutPolicyInput, now: Date): Promise<Rollout> {
  const role = await tx.role.findUniqueOrThrow({ where: { id: roleId } });
  const live = await tx.rollout.findFirst({ where: { roleId, state: { in: [...liveRolloutStates] } } });
  if (live) throw conflict('roleId', `role ${role.name} already has a ${live.state} ${live.kind}: abort it first`);
  // The spares keep what they were staged with; every other bootable host of the role reboots.
  const hosts = await tx.host.findMany({ where: { roleId, spare: false, bootEnabled: true }, orderBy: { hostname: 'asc' }, select: { id: true } });
  const batchSize = policy.batchSize ?? role.rolloutBatchSize;
  const batchCount = Math.ceil(hosts.length / batchSize);
  const rollout = await tx.rollout.create({
    data: {
      roleId, imageId, kind, batchSize, maxConcurrentBoots: policy.maxConcurrentBoots ?? role.rolloutMaxConcurrent,
      pauseSeconds: policy.pauseSeconds, maxFailures: policy.maxFailures, hostTimeoutSeconds: policy.hostTimeoutSeconds,
      batchCount, createdBy: actor.username,
      ...(hosts.length === 0 ? { state: 'completed', finishedAt: now, reason: 'the role has no hosts to reboot' } : {}),
    },
  });
  if (hosts.length) await tx.rolloutHost.createMany({ data: hosts.map((h, i) => ({ rolloutId: rollout.id, hostId: h.id, batch: Math.floor(i / batchSize) })) });
  await writeAudit(tx, actor, `start-${kind}`, 'rollout', rollout.id, null, { roleId, imageId, hosts: hosts.length, batchSize, batchCount, maxConcurrentBoots: rollout.maxConcurrentBoots, pauseSeconds: rollout.pauseSeconds, maxFailures: rollout.maxFailures });
  return rollout;
}

export async function promoteImage(actor: Actor, imageId: string, policy: RolloutPolicyInput | false, now = new Date()): Promise<{ role: { id: string; activeImageId: string | null; previousImageId: string | null }; rollout: Rollout | null }> {
  return db().$transaction(async (tx) => {
    const image = await tx.image.findUnique({ where: { id: imageId }, include: { role: true } });
    if (!image) throw notFound('image');
    if (image.status !== 'verified') throw conflict('status', `image ${image.version} is ${image.status}: only a verified image (one that passed its gate on a spare) can be promoted`);
    const role = image.role;
    const live = await tx.rollout.findFirst({ where: { roleId: role.id, state: { in: [...liveRolloutStates] } } });
    if (live) throw conflict('roleId', `role ${role.name} has a ${live.state} ${live.kind}: abort it first`);
    const after = await tx.role.update({ where: { id: role.id }, data: { activeImageId: image.id, previousImageId: role.activeImageId } });
    await tx.image.update({ where: { id: image.id }, data: { status: 'active' } });
    if (role.activeImageId) await tx.image.update({ where: { id: role.activeImageId }, data: { status: 'retired' } });
    // Spares that ran the candidate now boot it as the role's image anyway: drop the override.
    await tx.host.updateMany({ where: { imageOverrideId: image.id, spare: true, roleId: role.id }, data: { imageOverrideId: null } });
    await writeAudit(tx, actor, 'promote', 'role', role.id, { activeImageId: role.activeImageId, previousImageId: role.previousImageId }, { activeImageId: image.id, previousImageId: role.activeImageId, version: image.version });
    const rollout = policy === false ? null : await createRollout(tx, actor, role.id, image.id, 'rollout', policy, now);
    return { role: { id: after.id, activeImageId: after.activeImageId, previousImageId: after.previousImageId }, rollout };
  });
}

export async function rollbackRole(actor: Actor, roleId: string, policy: RolloutPolicyInput | false | undefined, now = new Date()) {
  return db().$transaction(async (tx) => {
    const role = await tx.role.findUnique({ where: { id: roleId } });
    if (!role) throw notFound('role');
    if (!role.previousImageId) throw conflict('previousImageId', `role ${role.name} has no previous image to go back to`);
    // A rollout of the image we leave stops where it is.
    const live = await tx.rollout.findMany({ where: { roleId, state: { in: [...liveRolloutStates] } } });
    for (const r of live) {
      await tx.rollout.update({ where: { id: r.id }, data: { state: 'aborted', finishedAt: now, reason: `superseded by a rollback (${actor.username})` } });
    }
    const after = await tx.role.update({ where: { id: roleId }, data: { activeImageId: role.previousImageId, previousImageId: role.activeImageId } });
    await tx.image.update({ where: { id: role.previousImageId }, data: { status: 'active' } });
    if (role.activeImageId) await tx.image.update({ where: { id: role.activeImageId }, data: { status: 'retired' } });
    await writeAudit(tx, actor, 'rollback', 'role', roleId, { activeImageId: role.activeImageId, previousImageId: role.previousImageId }, { activeImageId: after.activeImageId, previousImageId: after.previousImageId, abortedRollouts: live.map((r) => r.id) });
    const rollout = policy === false ? null : await createRollout(tx, actor, roleId, role.previousImageId, 'rollback', policy ?? defaultPolicy, now);
    return { role: { id: after.id, activeImageId: after.activeImageId, previousImageId: after.previousImageId }, rollout };
  });
}

type Control = 'pause' | 'resume' | 'abort';
const controlFrom: Record<Control, readonly string[]> = { pause: ['running'], resume: ['paused'], abort: ['running', 'paused'] };

export async function controlRollout(actor: Actor, rolloutId: string, action: Control, now = new Date()): Promise<Rollout> {
  return db().$transaction(async (tx) => {
    const r = await tx.rollout.findUnique({ where: { id: rolloutId } });
    if (!r) throw notFound('rollout');
    if (!controlFrom[action].includes(r.state)) throw conflict('state', `a ${r.state} rollout can't be ${action === 'abort' ? 'aborted' : `${action}d`}`);
    const data: Prisma.RolloutUpdateInput = action === 'pause' ? { state: 'paused' } : action === 'resume' ? { state: 'running' } : { state: 'aborted', finishedAt: now, reason: `aborted by ${actor.username}` };
    const after = await tx.rollout.update({ where: { id: rolloutId }, data });
    await writeAudit(tx, actor, `${action}-rollout`, 'rollout', rolloutId, { state: r.state }, { state: after.state });
    return after;
  });
}

export interface RolloutDeps {
  now: () => Date;
  reboot: HostRebooter;
}

/** One step of a live rollout: watch the hosts in flight, start boots, move to the next batch. */
export async function advanceRollout(rolloutId: string, deps: RolloutDeps): Promise<Rollout> {
  const rollout = await db().rollout.findUniqueOrThrow({ where: { id: rolloutId } });
  if (!(liveRolloutStates as readonly string[]).includes(rollout.state)) return rollout;
  const now = deps.now();
  const hosts = await db().rolloutHost.findMany({ where: { rolloutId }, include: { host: true }, orderBy: { host: { hostname: 'asc' } } });

  // Hosts in flight: up, failed, or still booting. Watched even while paused.
  let failures = rollout.failures;
  for (const h of hosts.filter((x) => x.state === 'rebooting' || x.state === 'waiting_manual')) {
    const outcome = await findBootOutcome(h.hostId, h.bootRequestedAt!);
    let state: 'up' | 'failed' | null = null;
    let reason: string | null = null;
    if (outcome?.kind === 'up') state = 'up';
    else if (outcome) [state, reason] = ['failed', outcome.reason];
    else if (now.getTime() - h.bootRequestedAt!.getTime() >= rollout.hostTimeoutSeconds * 1000) [state, reason] = ['failed', `not up within ${rollout.hostTimeoutSeconds} s of its reboot`];
    if (!state) continue;
    const changed = await db().rolloutHost.updateMany({ where: { rolloutId, hostId: h.hostId, state: h.state }, data: { state, upAt: outcome?.at ?? null, reason } });
    if (changed.count) {
      h.state = state;
      if (state === 'failed') failures += 1;
    }
  }
  if (failures !== rollout.failures) await db().rollout.update({ where: { id: rolloutId }, data: { failures } });
  if (failures >= rollout.maxFailures) {
    return finishRollout(rollout.id, 'failed', `${failures} host(s) failed (the policy stops at ${rollout.maxFailures})`, now);
  }
  if (rollout.state === 'paused') return db().rollout.findUniqueOrThrow({ where: { id: rolloutId } });

  const batch = hosts.filter((h) => h.batch === rollout.currentBatch);
  if (batch.every((h) => h.state === 'up' || h.state === 'failed')) {
    if (rollout.currentBatch + 1 >= rollout.batchCount) return finishRollout(rollout.id, 'completed', null, now);
    return db().rollout.update({ where: { id: rolloutId }, data: { currentBatch: rollout.currentBatch + 1, nextBatchAt: new Date(now.getTime() + rollout.pauseSeconds * 1000) } });
  }
  if (rollout.nextBatchAt && rollout.nextBatchAt > now) return rollout;

  // Start boots in this batch, one claim at a time: a pause or abort from the console stops
  // new boots at once, and each claim counts the boots in flight in the database under the
  // boot-claim lock, so no second process could fill the same slot. The host is marked
  // rebooting before its BMC is called: a process that dies in between leaves a host that is
  // watched (up, or failed at its timeout), never one rebooted twice.
  for (;;) {
    const claimed = await withBootClaimLock(async (tx) => {
      const current = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId }, select: { state: true, currentBatch: true, maxConcurrentBoots: true } });
      if (current.state !== 'running' || current.currentBatch !== rollout.currentBatch) return null;
      const inFlight = await tx.rolloutHost.count({ where: { rolloutId, state: { in: ['rebooting', 'waiting_manual'] } } });
      if (inFlight >= current.maxConcurrentBoots) return null;
      // The fleet-wide boot-storm limit too: bulk power actions, stages and other rollouts
      // booting at the same time share bootd's DHCP/TFTP/HTTP with this one.
      if ((await countBootsInFlight(tx)) >= globalMaxConcurrentBoots()) return null;
      const next = await tx.rolloutHost.findFirst({ where: { rolloutId, batch: current.currentBatch, state: 'pending' }, orderBy: { host: { hostname: 'asc' } }, include: { host: true } });
      if (!next) return null;
      await tx.rolloutHost.update({ where: { rolloutId_hostId: { rolloutId, hostId: next.hostId } }, data: { state: 'rebooting', bootRequestedAt: deps.now(), powerMethod: null, reason: null } });
      return next;
    });
    if (!claimed) break;
    const r = await deps.reboot(claimed.host);
    await db().rolloutHost.updateMany({
      where: { rolloutId, hostId: claimed.hostId, state: 'rebooting' },
      data: r.method === 'ipmi' ? { powerMethod: 'ipmi' } : { state: 'waiting_manual', powerMethod: 'manual', reason: r.reason },
    });
  }
  return db().rollout.findUniqueOrThrow({ where: { id: rolloutId } });
}

async function finishRollout(id: string, state: 'completed' | 'failed', reason: string | null, now: Date): Promise<Rollout> {
  return db().$transaction(async (tx) => {
    const claimed = await tx.rollout.updateMany({ where: { id, state: { in: [...liveRolloutStates] } }, data: { state, reason, finishedAt: now } });
    if (claimed.count) await writeWorkerAudit(tx, `${state === 'completed' ? 'complete' : 'fail'}-rollout`, 'rollout', id, { state, reason });
    return tx.rollout.findUniqueOrThrow({ where: { id } });
  });
}

export async function listLiveRolloutIds(): Promise<string[]> {
  return (await db().rollout.findMany({ where: { state: { in: [...liveRolloutStates] } }, select: { id: true }, orderBy: { createdAt: 'asc' } })).map((r) => r.id);
}

const rolloutView = {
  image: { select: { version: true } },
  role: { select: { name: true } },
  hosts: { include: { host: { select: { hostname: true, ip: true, state: true, statePhase: true } } }, orderBy: [{ batch: 'asc' }, { host: { hostname: 'asc' } }] },
} as const satisfies Prisma.RolloutInclude;

export async function getRolloutOrThrow(id: string) {
  const r = await db().rollout.findUnique({ where: { id }, include: rolloutView });
  if (!r) throw notFound('rollout');
  return r;
}

export async function listRollouts(q: { roleId?: string }) {
  if (q.roleId && !(await db().role.findUnique({ where: { id: q.roleId } }))) throw invalid('roleId', 'no such role');
  const items = await db().rollout.findMany({ where: q.roleId ? { roleId: q.roleId } : {}, orderBy: { createdAt: 'desc' }, take: 20, include: rolloutView });
  return { items };
}
