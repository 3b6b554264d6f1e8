// Stage on a spare → health gate (DESIGN.md "Image lifecycle"). The candidate becomes the
// spare's image override and the image turns `trial`; the spare is rebooted (BMC, or by hand);
// the gate passes when the spare reports up after that reboot and its health check passes
// (the agent's report of the image's own check, and the role's URL check if it has one)
// before the deadline → image `verified`. Any failure or the deadline → image `failed`, the
// spare's override put back; the role is never touched here.
// The state lives in ImageStage; advanceStage() is one idempotent step the worker repeats.
import type { ImageStage, Prisma } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { kernelSignatureOf, secureBootRefusal } from '../images/kernel-signature.ts';
import { hasBmc } from '../power/host-power.ts';
import { writeWorkerAudit } from '../audit/worker-audit.ts';
import type { HostRebooter } from './boot-host.ts';
import { findBootOutcome, recentBootEvents } from '../events/boot-outcome.ts';
import { healthCheckUrl, isUrlHealthCheck, type HealthProbe } from './health-check.ts';
import type { StageInput } from './schema.ts';

export const liveStageStates = ['powering', 'waiting_manual', 'booting', 'checking'] as const;
const stageableStatuses = ['ready', 'verified', 'failed'] as const;

type Tx = Prisma.TransactionClient;

/** Spares busy elsewhere: in a live stage, or in a live rollout not finished with them. */
async function busyHostIds(tx: Tx): Promise<Set<string>> {
  const stages = await tx.imageStage.findMany({ where: { state: { in: [...liveStageStates] } }, select: { hostId: true } });
  const rollouts = await tx.rolloutHost.findMany({ where: { state: { in: ['rebooting', 'waiting_manual'] }, rollout: { state: { in: ['running', 'paused'] } } }, select: { hostId: true } });
  return new Set([...stages, ...rollouts].map((r) => r.hostId));
}

/**
 * A Secure Boot role's spare boots the candidate through shim → GRUB, which refuse a kernel not
 * signed by a key shim trusts: staging such an image would only fail the gate after a reboot.
 * Checked before the transaction (it reads the kernel file).
 */
async function refuseKernelSecureBootRefuses(imageId: string): Promise<void> {
  const image = await db().image.findUnique({ where: { id: imageId }, select: { version: true, kernel: true, role: { select: { name: true, uefiBootChain: true } } } });
  if (!image?.kernel || image.role.uefiBootChain !== 'secure_boot') return;
  const refusal = secureBootRefusal(await kernelSignatureOf(image.kernel));
  if (refusal) {
    throw conflict('kernel', `role ${image.role.name} boots UEFI hosts with Secure Boot, and image ${image.version}'s kernel would be refused: ${refusal} (upload a kernel signed by a key shim trusts, or set the role's UEFI boot chain to iPXE)`);
  }
}

export async function stageImage(actor: Actor, imageId: string, input: StageInput, now = new Date()): Promise<ImageStage> {
  await refuseKernelSecureBootRefuses(imageId);
  return db().$transaction(async (tx) => {
    const image = await tx.image.findUnique({ where: { id: imageId }, include: { role: true } });
    if (!image) throw notFound('image');
    if (!(stageableStatuses as readonly string[]).includes(image.status)) {
      throw conflict('status', `image ${image.version} is ${image.status}: only a ready (or re-tried verified/failed) image can be staged`);
    }
    if (image.role.activeImageId === image.id) throw conflict('status', `image ${image.version} is already the active image of ${image.role.name}`);
    const busy = await busyHostIds(tx);
    let host;
    if (input.hostId) {
      host = await tx.host.findUnique({ where: { id: input.hostId } });
      if (!host) throw invalid('hostId', 'no such host');
      if (!host.spare) throw conflict('hostId', `${host.hostname} is not a spare: mark it spare first (a spare runs candidates)`);
      if (busy.has(host.id)) throw conflict('hostId', `${host.hostname} is busy with another stage or rollout`);
    } else {
      const spares = await tx.host.findMany({ where: { spare: true, bootEnabled: true, mac: { not: null } }, orderBy: { hostname: 'asc' } });
      const idle = spares.filter((h) => !busy.has(h.id) && h.state !== 'booting');
      host = idle.find((h) => h.roleId === image.roleId) ?? idle[0];
      if (!host) throw conflict('hostId', 'no idle spare: mark a host as spare (or wait for the running stage)');
    }
    const viaBmc = hasBmc(host);
    const stage = await tx.imageStage.create({
      data: {
        imageId, roleId: image.roleId, hostId: host.id,
        state: viaBmc ? 'powering' : 'waiting_manual', powerMethod: viaBmc ? 'ipmi' : 'manual',
        bootRequestedAt: now, deadlineAt: new Date(now.getTime() + input.timeoutSeconds * 1000),
        previousOverrideId: host.imageOverrideId, createdBy: actor.username,
        reason: viaBmc ? null : `${host.hostname} has no BMC: reboot it by hand`,
      },
    });
    await tx.host.update({ where: { id: host.id }, data: { imageOverrideId: image.id } });
    await tx.image.update({ where: { id: image.id }, data: { status: 'trial' } });
    await writeAudit(tx, actor, 'stage', 'image', image.id, { status: image.status }, { status: 'trial', stageId: stage.id, host: host.hostname, timeoutSeconds: input.timeoutSeconds, power: stage.powerMethod });
    return stage;
  });
}

export interface StageDeps {
  now: () => Date;
  reboot: HostRebooter;
  probe: HealthProbe;
}

/** Moves a stage one step on; returns the stage as it is afterwards. */
export async function advanceStage(stageId: string, deps: StageDeps): Promise<ImageStage> {
  const stage = await db().imageStage.findUniqueOrThrow({ where: { id: stageId }, include: { host: true, role: true } });
  const now = deps.now();
  if (!(liveStageStates as readonly string[]).includes(stage.state)) return stage;

  if (stage.state === 'powering') {
    // Claimed before the power call (only one process reboots the spare, and one that dies in
    // between leaves a stage that waits for its deadline, not a second reboot); the boot
    // counts from before the call: an up racing it isn't lost.
    const claimed = await db().imageStage.updateMany({ where: { id: stage.id, state: 'powering' }, data: { state: 'booting', bootRequestedAt: now, reason: null } });
    if (!claimed.count) return db().imageStage.findUniqueOrThrow({ where: { id: stage.id } });
    const r = await deps.reboot(stage.host);
    if (r.method === 'manual') await db().imageStage.updateMany({ where: { id: stage.id, state: 'booting' }, data: { state: 'waiting_manual', reason: r.reason } });
    return db().imageStage.findUniqueOrThrow({ where: { id: stage.id } });
  }

  if (stage.state === 'waiting_manual' || stage.state === 'booting') {
    const outcome = await findBootOutcome(stage.hostId, stage.bootRequestedAt);
    if (outcome?.kind === 'failed') return finishStage(stage, 'failed', outcome.reason, now);
    if (outcome?.kind === 'up') {
      if (isUrlHealthCheck(stage.role.healthCheck)) {
        return db().imageStage.update({ where: { id: stage.id }, data: { state: 'checking', upAt: outcome.at, reason: null } });
      }
      await db().imageStage.update({ where: { id: stage.id }, data: { upAt: outcome.at } });
      return finishStage(stage, 'verified', outcome.health ? 'up; its health check passed' : 'up', now);
    }
    if (now >= stage.deadlineAt) return finishStage(stage, 'failed', `${stage.host.hostname} did not report up within the gate's time (${Math.round((stage.deadlineAt.getTime() - stage.createdAt.getTime()) / 1000)} s)`, now);
    return stage;
  }

  // checking: the role's URL, until it passes or the deadline.
  const url = healthCheckUrl(stage.role.healthCheck ?? '', stage.host);
  const result = await deps.probe(url);
  if (result.ok) return finishStage(stage, 'verified', `up; ${url} passed`, now);
  if (now >= stage.deadlineAt) return finishStage(stage, 'failed', `health check did not pass in time: ${result.reason}`, now);
  return db().imageStage.update({ where: { id: stage.id }, data: { reason: result.reason } });
}

async function finishStage(stage: ImageStage, state: 'verified' | 'failed', reason: string, now: Date): Promise<ImageStage> {
  return db().$transaction(async (tx) => {
    // Only a live stage finishes (two workers, or a cancel racing the worker: one wins).
    const claimed = await tx.imageStage.updateMany({ where: { id: stage.id, state: { in: [...liveStageStates] } }, data: { state, reason, finishedAt: now } });
    if (claimed.count === 0) return tx.imageStage.findUniqueOrThrow({ where: { id: stage.id } });
    const image = await tx.image.findUniqueOrThrow({ where: { id: stage.imageId } });
    // The image may have moved on meanwhile (promoted by hand): never demote an active image.
    if (image.status === 'trial') await tx.image.update({ where: { id: image.id }, data: { status: state } });
    if (state === 'failed') {
      const host = await tx.host.findUnique({ where: { id: stage.hostId } });
      if (host?.imageOverrideId === stage.imageId) await tx.host.update({ where: { id: host.id }, data: { imageOverrideId: stage.previousOverrideId } });
    }
    await writeWorkerAudit(tx, state === 'verified' ? 'verify' : 'fail', 'image', stage.imageId, { stageId: stage.id, status: state, reason });
    return tx.imageStage.findUniqueOrThrow({ where: { id: stage.id } });
  });
}

/** An operator gives up on a stage: failed-like end without judging the image (it goes back to ready). */
export async function cancelStage(actor: Actor, stageId: string, now = new Date()): Promise<ImageStage> {
  return db().$transaction(async (tx) => {
    const stage = await tx.imageStage.findUnique({ where: { id: stageId } });
    if (!stage) throw notFound('stage');
    const claimed = await tx.imageStage.updateMany({ where: { id: stageId, state: { in: [...liveStageStates] } }, data: { state: 'cancelled', reason: `cancelled by ${actor.username}`, finishedAt: now } });
    if (claimed.count === 0) throw conflict('state', `the stage is already ${stage.state}`);
    const image = await tx.image.findUniqueOrThrow({ where: { id: stage.imageId } });
    if (image.status === 'trial') await tx.image.update({ where: { id: image.id }, data: { status: 'ready' } });
    const host = await tx.host.findUnique({ where: { id: stage.hostId } });
    if (host?.imageOverrideId === stage.imageId) await tx.host.update({ where: { id: host.id }, data: { imageOverrideId: stage.previousOverrideId } });
    await writeAudit(tx, actor, 'cancel-stage', 'image', stage.imageId, { status: image.status }, { stageId, status: 'ready' });
    return tx.imageStage.findUniqueOrThrow({ where: { id: stageId } });
  });
}

export async function listLiveStageIds(): Promise<string[]> {
  return (await db().imageStage.findMany({ where: { state: { in: [...liveStageStates] } }, select: { id: true }, orderBy: { createdAt: 'asc' } })).map((s) => s.id);
}

/** A stage as the console shows it: the spare, and its boot events since the reboot. */
export async function getStageOrThrow(stageId: string) {
  const stage = await db().imageStage.findUnique({ where: { id: stageId }, include: { host: { select: { hostname: true, ip: true, state: true, statePhase: true } }, image: { select: { version: true, status: true } } } });
  if (!stage) throw notFound('stage');
  return { ...stage, events: await recentBootEvents(stage.hostId, stage.createdAt) };
}

export async function listImageStages(imageId: string) {
  const stages = await db().imageStage.findMany({ where: { imageId }, orderBy: { createdAt: 'desc' }, take: 20, include: { host: { select: { hostname: true, ip: true, state: true, statePhase: true } } } });
  const latest = stages[0];
  return { items: stages, latestEvents: latest ? await recentBootEvents(latest.hostId, latest.createdAt) : [] };
}

/** Spares a stage may use (the console's choice list). */
export async function listSpares() {
  const rows = await db().host.findMany({ where: { spare: true }, orderBy: { hostname: 'asc' }, take: 200, select: { id: true, hostname: true, role: { select: { name: true } } } });
  return rows.map((h) => ({ id: h.id, hostname: h.hostname, roleName: h.role?.name ?? null }));
}
