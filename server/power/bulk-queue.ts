// The bulk power queue: one power action on many hosts (POST /power), kept in the database
// (BulkPowerAction + one BulkPowerHost per host) and sent by the worker leader
// (server/lifecycle/worker.ts), so it survives a restart of the web process, shows each
// host's progress, can be cancelled, and is audited (queued, each host's command, cancel, end).
//
// The boot-storm limit: an action that boots machines (on, cycle, reset, pxe-boot) never has
// more of its hosts booting than its maxConcurrentBoots: the tightest rollout policy
// (Role.rolloutMaxConcurrent) among its hosts' roles, and never more than the fleet-wide limit
// (FLEETBOOT_MAX_CONCURRENT_BOOTS). Across all bulk actions, the hosts booting (counting those
// a rollout or a stage is rebooting) stay within the fleet-wide limit. A host counts as booting
// from the moment it is claimed for sending until its agent reports up or failed, or its
// timeout passes. Actions that boot nothing (off, pxe) are not limited by boots, only by
// bmcCallsAtOnce; status is not queued at all: it answers at once (powerStatusOfHosts).
import type { BulkPowerAction, BulkPowerHost, BulkPowerHostState, Prisma } from '@prisma/client';
import { actorLabel, type Actor } from '../auth/actor.ts';
import { auditable, writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { writeWorkerAudit } from '../audit/worker-audit.ts';
import { findBootOutcome } from '../events/boot-outcome.ts';
import { countBootsInFlight, globalMaxConcurrentBoots, withBootClaimLock } from './boot-claims.ts';
import { findBmcTarget, hasBmc, ipmiOptions, runPowerAction } from './host-power.ts';
import { chassisPowerStatus, IpmiError, type BmcTarget } from './ipmi.ts';
import { isBootingAction, type BulkPowerInput, type PowerAction } from './schema.ts';

/** BMC commands of one non-booting bulk action in flight at once. */
export const bmcCallsAtOnce = 10;
export const bulkPowerHostStates = ['queued', 'sent', 'booting', 'up', 'done', 'failed', 'cancelled'] as const satisfies readonly BulkPowerHostState[];
const queueActorLabel = 'power-queue';

// ---- queueing, cancelling, reading (the API) ----

export async function queueBulkPower(actor: Actor, input: BulkPowerInput) {
  if (input.action === 'status') throw invalid('action', 'status is answered at once, not queued');
  const action = input.action;
  const ids = [...new Set(input.hostIds)];
  const id = await db().$transaction(async (tx) => {
    const hosts = await tx.host.findMany({ where: { id: { in: ids } }, select: { id: true, hostname: true, bmcAddress: true, bmcUser: true, bmcPasswordEnc: true, role: { select: { rolloutMaxConcurrent: true } } } });
    const missing = ids.filter((hid) => !hosts.some((h) => h.id === hid));
    if (missing.length) throw invalid('hostIds', `no such host: ${missing[0]}`);
    const noBmc = hosts.filter((h) => !hasBmc(h));
    if (noBmc.length) throw conflict('hostIds', `${noBmc.map((h) => h.hostname).slice(0, 5).join(', ')} ha${noBmc.length > 1 ? 've' : 's'} no BMC`);
    // The same hosts asked twice (a double click, a script retried): the first request stands.
    const pending = await tx.bulkPowerHost.findMany({ where: { hostId: { in: ids }, state: { in: ['queued', 'sent'] } }, select: { host: { select: { hostname: true } } }, take: 5 });
    if (pending.length) throw conflict('hostIds', `${pending.map((p) => p.host.hostname).join(', ')} already wait${pending.length > 1 ? '' : 's'} in another bulk power action: let it finish or cancel it`);
    const global = globalMaxConcurrentBoots();
    const maxConcurrentBoots = Math.max(1, Math.min(global, ...hosts.map((h) => h.role?.rolloutMaxConcurrent ?? global)));
    const row = await tx.bulkPowerAction.create({
      data: { action, maxConcurrentBoots, hostTimeoutSeconds: input.hostTimeoutSeconds, createdBy: actorLabel(actor), userId: actor.userId, tokenId: actor.tokenId ?? null },
    });
    await tx.bulkPowerHost.createMany({ data: ids.map((hostId, position) => ({ bulkActionId: row.id, hostId, position })) });
    const byId = new Map(hosts.map((h) => [h.id, h.hostname]));
    await writeAudit(tx, actor, 'queue-power', 'power-action', row.id, null, {
      action, hosts: ids.length, hostnames: ids.slice(0, 20).map((hid) => byId.get(hid)), ...(isBootingAction(action) ? { maxConcurrentBoots } : {}), hostTimeoutSeconds: input.hostTimeoutSeconds,
    });
    return row.id;
  });
  return getBulkPowerOrThrow(id);
}

/** Stops sending: the hosts still queued are never sent (cancelled); those sent are still watched. */
export async function cancelBulkPower(actor: Actor, id: string, now = new Date()) {
  await db().$transaction(async (tx) => {
    const row = await tx.bulkPowerAction.findUnique({ where: { id } });
    if (!row) throw notFound('bulk power action');
    const claimed = await tx.bulkPowerAction.updateMany({ where: { id, state: 'running' }, data: { state: 'cancelled', reason: `cancelled by ${actorLabel(actor)}` } });
    if (claimed.count === 0) throw conflict('state', `the bulk power action is already ${row.state}`);
    const notSent = await tx.bulkPowerHost.updateMany({ where: { bulkActionId: id, state: 'queued' }, data: { state: 'cancelled', finishedAt: now } });
    await writeAudit(tx, actor, 'cancel-power', 'power-action', id, { state: row.state }, { state: 'cancelled', notSent: notSent.count });
  });
  return getBulkPowerOrThrow(id);
}

const withHosts = {
  hosts: { include: { host: { select: { hostname: true, state: true } } }, orderBy: { position: 'asc' } },
} as const satisfies Prisma.BulkPowerActionInclude;

type ActionWithHosts = Prisma.BulkPowerActionGetPayload<{ include: typeof withHosts }>;

function bulkPowerView(a: ActionWithHosts) {
  const counts = Object.fromEntries(bulkPowerHostStates.map((s) => [s, 0])) as Record<BulkPowerHostState, number>;
  for (const h of a.hosts) counts[h.state] += 1;
  return {
    id: a.id,
    action: a.action,
    state: a.state,
    /** whether the boot-storm limit applies (the action boots machines) */
    boots: isBootingAction(a.action),
    maxConcurrentBoots: a.maxConcurrentBoots,
    hostTimeoutSeconds: a.hostTimeoutSeconds,
    createdBy: a.createdBy,
    createdAt: a.createdAt,
    finishedAt: a.finishedAt,
    reason: a.reason,
    counts,
    hosts: a.hosts.map((h) => ({
      hostId: h.hostId, hostname: h.host.hostname, hostState: h.host.state, position: h.position, state: h.state,
      sentAt: h.sentAt, finishedAt: h.finishedAt, done: h.done, error: h.error, errorKind: h.errorKind,
    })),
  };
}
export type BulkPowerView = ReturnType<typeof bulkPowerView>;

export async function getBulkPowerOrThrow(id: string): Promise<BulkPowerView> {
  const a = await db().bulkPowerAction.findUnique({ where: { id }, include: withHosts });
  if (!a) throw notFound('bulk power action');
  return bulkPowerView(a);
}

/** Newest first; `live`: only those still sending or watching hosts. */
export async function listBulkPower(q: { live?: boolean; limit: number }): Promise<{ items: BulkPowerView[] }> {
  const rows = await db().bulkPowerAction.findMany({ where: q.live ? { finishedAt: null } : {}, orderBy: { createdAt: 'desc' }, take: q.limit, include: withHosts });
  return { items: rows.map(bulkPowerView) };
}

// ---- the worker's pass ----

export interface BulkSendResult {
  /** what the BMC did, in the operator's words */
  done: string;
  /** a boot started: watch for up */
  booted: boolean;
}
export type BulkPowerSender = (target: BmcTarget, action: PowerAction) => Promise<BulkSendResult>;

/** The command for one host. `on` asks first: a machine already on doesn't boot, so it takes no boot slot. */
export const sendThroughBmc: BulkPowerSender = async (target, action) => {
  if (action === 'on' && (await chassisPowerStatus(target, ipmiOptions())) === 'on') return { done: 'already on', booted: false };
  const r = await runPowerAction(target, action);
  return { done: r.done ?? action, booted: isBootingAction(action) };
};

export interface BulkPowerDeps {
  now: () => Date;
  send: BulkPowerSender;
  /** Commands this process is sending right now, by bulkActionId:hostId; the worker awaits them on stop. */
  sending: Map<string, Promise<void>>;
  log: (message: string, err?: unknown) => void;
}

const keyOf = (h: Pick<BulkPowerHost, 'bulkActionId' | 'hostId'>) => `${h.bulkActionId}:${h.hostId}`;

/**
 * One pass of the queue: hosts booting that came up, failed or timed out free their slot;
 * commands a dead process left half-sent are recovered; free slots are claimed and their
 * commands started (not awaited: a slow BMC never holds up the rest); finished actions closed.
 */
export async function advanceBulkPower(deps: BulkPowerDeps): Promise<void> {
  await watchBootingHosts(deps);
  await recoverHalfSent(deps);
  for (const claim of await claimFreeSlots(deps)) startSending(claim, deps);
  await closeFinishedActions(deps);
}

async function watchBootingHosts(deps: BulkPowerDeps): Promise<void> {
  const rows = await db().bulkPowerHost.findMany({ where: { state: 'booting' }, include: { bulkAction: { select: { hostTimeoutSeconds: true } }, host: { select: { hostname: true } } } });
  for (const h of rows) {
    if (!h.sentAt) continue;
    const outcome = await findBootOutcome(h.hostId, h.sentAt);
    const now = deps.now();
    let data: Prisma.BulkPowerHostUpdateManyMutationInput | null = null;
    if (outcome?.kind === 'up') data = { state: 'up', finishedAt: outcome.at };
    else if (outcome) data = { state: 'failed', finishedAt: outcome.at, error: outcome.reason, errorKind: outcome.cause === 'health' ? 'health' : 'boot' };
    else if (now.getTime() - h.sentAt.getTime() >= h.bulkAction.hostTimeoutSeconds * 1000) {
      data = { state: 'failed', finishedAt: now, error: `${h.host.hostname} did not report up within ${h.bulkAction.hostTimeoutSeconds} s of its power command`, errorKind: 'boot-timeout' };
    }
    if (data) await db().bulkPowerHost.updateMany({ where: { bulkActionId: h.bulkActionId, hostId: h.hostId, state: 'booting' }, data });
  }
}

/**
 * `sent` rows no command of this process stands behind: the process that claimed them died
 * (or lost the lead) between the claim and the BMC's answer. Whether the BMC got a booting
 * command is unknown: sending it again could boot the host twice, so it is watched as booting
 * (up, or failed at its timeout). An off or pxe is harmless to repeat: it goes back in the queue.
 */
async function recoverHalfSent(deps: BulkPowerDeps): Promise<void> {
  const rows = await db().bulkPowerHost.findMany({ where: { state: 'sent' }, include: { bulkAction: { select: { action: true, state: true } } } });
  for (const h of rows) {
    if (deps.sending.has(keyOf(h))) continue;
    const data: Prisma.BulkPowerHostUpdateManyMutationInput = isBootingAction(h.bulkAction.action)
      ? { state: 'booting', done: 'unconfirmed: the web process stopped while sending it; watching for the boot' }
      : h.bulkAction.state === 'running' ? { state: 'queued', sentAt: null } : { state: 'cancelled', finishedAt: deps.now() };
    await db().bulkPowerHost.updateMany({ where: { bulkActionId: h.bulkActionId, hostId: h.hostId, state: 'sent' }, data });
  }
}

type Claim = BulkPowerHost & { bulkAction: BulkPowerAction };

async function claimFreeSlots(deps: BulkPowerDeps): Promise<Claim[]> {
  if (!(await db().bulkPowerAction.count({ where: { state: 'running' } }))) return [];
  return withBootClaimLock(async (tx) => {
    const actions = await tx.bulkPowerAction.findMany({ where: { state: 'running' }, orderBy: { createdAt: 'asc' } });
    const fleetLimit = globalMaxConcurrentBoots();
    let bootsInFlight = await countBootsInFlight(tx);
    const claims: Claim[] = [];
    for (const a of actions) {
      const boots = isBootingAction(a.action);
      const own = await tx.bulkPowerHost.count({ where: { bulkActionId: a.id, state: boots ? { in: ['sent', 'booting'] } : 'sent' } });
      const room = boots ? Math.min(a.maxConcurrentBoots - own, fleetLimit - bootsInFlight) : bmcCallsAtOnce - own;
      if (room <= 0) continue;
      const next = await tx.bulkPowerHost.findMany({ where: { bulkActionId: a.id, state: 'queued' }, orderBy: { position: 'asc' }, take: room, select: { hostId: true } });
      if (!next.length) continue;
      const rows = await tx.bulkPowerHost.updateManyAndReturn({
        where: { bulkActionId: a.id, hostId: { in: next.map((n) => n.hostId) }, state: 'queued' },
        data: { state: 'sent', sentAt: deps.now() },
      });
      if (boots) bootsInFlight += rows.length;
      claims.push(...rows.map((r) => ({ ...r, bulkAction: a })));
    }
    return claims;
  });
}

function startSending(claim: Claim, deps: BulkPowerDeps): void {
  const key = keyOf(claim);
  const action = claim.bulkAction.action as PowerAction;
  const run = async () => {
    const host = await db().host.findUnique({ where: { id: claim.hostId } });
    let data: Prisma.BulkPowerHostUpdateManyMutationInput;
    try {
      const target = host ? findBmcTarget(host) : null;
      if (!target) throw new IpmiError('refused', `${host?.hostname ?? 'the host'} has no BMC any more`, '');
      const r = await deps.send(target, action);
      data = r.booted ? { state: 'booting', done: r.done } : { state: 'done', done: r.done, finishedAt: deps.now() };
    } catch (err) {
      // One host's BMC failing never stops the others: its row says why, the queue goes on.
      data = { state: 'failed', finishedAt: deps.now(), error: err instanceof Error ? err.message : String(err), errorKind: err instanceof IpmiError ? err.kind : 'internal' };
    }
    await db().$transaction(async (tx) => {
      // `booting` too: a process that took the lead meanwhile may already watch it.
      const changed = await tx.bulkPowerHost.updateMany({ where: { bulkActionId: claim.bulkActionId, hostId: claim.hostId, state: { in: ['sent', 'booting'] }, finishedAt: null }, data });
      if (!changed.count) return;
      const ok = data.state !== 'failed';
      await tx.auditLog.create({
        data: {
          actor: claim.bulkAction.createdBy, userId: claim.bulkAction.userId, tokenId: claim.bulkAction.tokenId,
          action: 'power', entity: 'host', entityId: claim.hostId,
          after: auditable({ action, ok, ...(data.done ? { done: data.done } : {}), ...(data.error ? { error: data.error } : {}), bulkActionId: claim.bulkActionId }),
        },
      });
    });
  };
  const p = run()
    .catch((err) => deps.log(`bulk power ${claim.bulkActionId}: recording ${claim.hostId} failed`, err))
    .finally(() => deps.sending.delete(key));
  deps.sending.set(key, p);
}

async function closeFinishedActions(deps: BulkPowerDeps): Promise<void> {
  const open = await db().bulkPowerAction.findMany({ where: { finishedAt: null }, select: { id: true } });
  for (const a of open) {
    const left = await db().bulkPowerHost.count({ where: { bulkActionId: a.id, state: { in: ['queued', 'sent', 'booting'] } } });
    if (left) continue;
    await db().$transaction(async (tx) => {
      const now = deps.now();
      const row = await tx.bulkPowerAction.findUniqueOrThrow({ where: { id: a.id } });
      const closed = await tx.bulkPowerAction.updateMany({ where: { id: a.id, finishedAt: null }, data: { finishedAt: now, ...(row.state === 'running' ? { state: 'completed' } : {}) } });
      if (!closed.count) return;
      const byState = await tx.bulkPowerHost.groupBy({ by: ['state'], where: { bulkActionId: a.id }, _count: { _all: true } });
      const counts = Object.fromEntries(byState.map((g) => [g.state, g._count._all]));
      await writeWorkerAudit(tx, 'finish-power', 'power-action', a.id, { state: row.state === 'running' ? 'completed' : row.state, counts }, queueActorLabel);
    });
  }
}
