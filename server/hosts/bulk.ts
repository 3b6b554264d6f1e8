// Bulk actions on hosts (POST /hosts/bulk): one change, delete or power action on every host of a
// selection (ids, or a filter of the hosts list). A change or a delete is one transaction: every
// host takes it or none does, and the audit log gets one entry naming every host. A power action
// is queued as one bulk power action (server/power/bulk-queue.ts), which reports host by host.
// A dry run answers what would change on each host, and which hosts would refuse, changing nothing.
import type { Host, Prisma } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { DomainError, invalid } from '../errors.ts';
import { hasBmc } from '../power/host-power.ts';
import { queueBulkPower, type BulkPowerView } from '../power/bulk-queue.ts';
import { hostAddressProblem, hostIpv6Problem } from './address-rules.ts';
import { maxBulkHosts, type BulkHostAction, type BulkHostSet } from './bulk-schema.ts';
import { bootableImageStatuses, hostWhere } from './queries.ts';

type Tx = Prisma.TransactionClient;

/** ids per `IN (…)` list: well under PostgreSQL's 65,535 bind parameters of one statement. */
const idsPerStatement = 5_000;
/** A transaction over a fleet: its statements are few but its rows many; a loaded machine needs more than Prisma's 5 s. */
const bulkTransaction = { maxWait: 10_000, timeout: 120_000 };

const selectedColumns = {
  id: true, hostname: true, ip: true, ipv6: true, roleId: true, networkId: true, spare: true, bootEnabled: true, bootOverride: true, imageOverrideId: true,
  bmcAddress: true, bmcUser: true, bmcPasswordEnc: true,
} as const satisfies Prisma.HostSelect;
type SelectedHost = Pick<Host, keyof typeof selectedColumns>;

export interface FieldChange { field: keyof BulkHostSet; from: unknown; to: unknown }
export interface HostProblem { id: string; hostname: string; field: string; message: string }
export interface BulkHostResult {
  action: 'update' | 'delete' | 'power';
  dryRun: boolean;
  /** hosts the selection holds */
  matched: number;
  /** hosts the action changes (a delete: all of them) */
  changed: number;
  /** hosts that already are as asked */
  unchanged: number;
  /** dry run: each host that would change, with each field from → to (ids, and names for role, network and image) */
  hosts?: Array<{ id: string; hostname: string; changes?: FieldChange[] }>;
  /** dry run: the hosts that would refuse the action, and why */
  problems?: HostProblem[];
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += idsPerStatement) out.push(items.slice(i, i + idsPerStatement));
  return out;
}

/** The hosts of the selection, in hostname order; refuses a selection past the limit or naming hosts that don't exist. */
async function selectHosts(tx: Tx, input: BulkHostAction): Promise<SelectedHost[]> {
  if (input.hostIds) {
    const ids = [...new Set(input.hostIds)];
    const rows: SelectedHost[] = [];
    for (const part of chunks(ids)) rows.push(...(await tx.host.findMany({ where: { id: { in: part } }, select: selectedColumns })));
    if (rows.length < ids.length) {
      const found = new Set(rows.map((h) => h.id));
      const missing = ids.filter((id) => !found.has(id));
      throw invalid('hostIds', `${missing.length} of the ids name no host (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`, { missing: missing.slice(0, 100) });
    }
    return rows.sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
  }
  const where = await hostWhere(input.filter ?? {}).catch((err: unknown) => {
    // The filter's own fields are inside the body's filter.
    if (err instanceof DomainError && err.field) throw new DomainError(err.code, err.message, `filter.${err.field}`, err.details);
    throw err;
  });
  // One more than the limit tells "too many" without counting the whole table twice.
  const rows = await tx.host.findMany({ where, select: selectedColumns, orderBy: { hostname: 'asc' }, take: maxBulkHosts + 1 });
  if (rows.length > maxBulkHosts) {
    const total = await tx.host.count({ where });
    throw invalid('filter', `the filter matches ${total.toLocaleString('en-US')} hosts; one bulk action takes at most ${maxBulkHosts.toLocaleString('en-US')}: narrow the filter`, { matched: total, max: maxBulkHosts });
  }
  return rows;
}

function checkSelection(input: BulkHostAction, hosts: SelectedHost[]): void {
  if (input.expectedCount !== undefined && input.expectedCount !== hosts.length) {
    throw new DomainError('conflict', `the selection holds ${hosts.length} hosts now, not the ${input.expectedCount} confirmed: look at it again and confirm`, 'expectedCount', { matched: hosts.length });
  }
  if (hosts.length === 0 && !input.dryRun) throw invalid(input.hostIds ? 'hostIds' : 'filter', 'no host matches: nothing to do');
}

/** The set's references, read once: the role, the network and the image it names must exist (and the image boot). */
async function readReferences(tx: Tx, set: BulkHostSet) {
  const role = set.roleId ? await tx.role.findUnique({ where: { id: set.roleId }, select: { id: true, name: true } }) : null;
  if (set.roleId && !role) throw invalid('set.roleId', 'no such role');
  const network = set.networkId ? await tx.network.findUnique({ where: { id: set.networkId } }) : null;
  if (set.networkId && !network) throw invalid('set.networkId', 'no such network');
  const image = set.imageOverrideId ? await tx.image.findUnique({ where: { id: set.imageOverrideId }, select: { id: true, version: true, status: true } }) : null;
  if (set.imageOverrideId && !image) throw invalid('set.imageOverrideId', 'no such image');
  // An uploading, failed or retired image has no kernel and initrd to serve: the boot would fail.
  if (image && !bootableImageStatuses.includes(image.status)) throw invalid('set.imageOverrideId', `image ${image.version} is ${image.status}; only a ready, trial, verified or active image can boot`);
  return { role, network, image };
}

/** Per host: the fields that change, or why the host can't take the change (its address and the new network; an image override without an image). */
async function planUpdate(tx: Tx, set: BulkHostSet, hosts: SelectedHost[]) {
  const refs = await readReferences(tx, set);
  const names = new Map<string, string>();
  const nameIds = async (field: 'roleId' | 'networkId' | 'imageOverrideId') => {
    const ids = [...new Set(hosts.map((h) => h[field]).filter((v): v is string => v !== null))];
    if (!ids.length) return;
    const rows = field === 'roleId' ? await tx.role.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })
      : field === 'networkId' ? await tx.network.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })
        : (await tx.image.findMany({ where: { id: { in: ids } }, select: { id: true, version: true } })).map((i) => ({ id: i.id, name: i.version }));
    for (const r of rows) names.set(r.id, r.name);
  };
  if (refs.role) names.set(refs.role.id, refs.role.name);
  if (refs.network) names.set(refs.network.id, refs.network.name);
  if (refs.image) names.set(refs.image.id, refs.image.version);
  for (const field of ['roleId', 'networkId', 'imageOverrideId'] as const) if (set[field] !== undefined) await nameIds(field);

  // Two hosts may not hold one address on one network: hosts moving in meet those already there.
  const taken = new Map<string, string>();
  if (refs.network) {
    const ips = hosts.filter((h) => h.ip && h.networkId !== refs.network!.id).map((h) => h.ip!);
    for (const part of chunks(ips)) {
      for (const h of await tx.host.findMany({ where: { networkId: refs.network.id, ip: { in: part } }, select: { ip: true, hostname: true } })) taken.set(h.ip!, h.hostname);
    }
  }

  const fields = Object.keys(set) as Array<keyof BulkHostSet>;
  const named = (field: keyof BulkHostSet, v: unknown) => (typeof v === 'string' && names.has(v) && field !== 'bootOverride' ? { id: v, name: names.get(v) } : v ?? null);
  const changing: Array<{ host: SelectedHost; changes: FieldChange[] }> = [];
  const problems: HostProblem[] = [];
  for (const h of hosts) {
    const changes = fields.filter((f) => (h[f] ?? null) !== (set[f] ?? null)).map((f) => ({ field: f, from: named(f, h[f]), to: named(f, set[f]) }));
    if (!changes.length) continue;
    const problem = (field: string, message: string) => problems.push({ id: h.id, hostname: h.hostname, field, message });
    if (set.networkId !== undefined && set.networkId !== h.networkId) {
      if (refs.network) {
        const addressProblem = h.ip ? hostAddressProblem(h.ip, refs.network) : null;
        if (addressProblem) problem('set.networkId', addressProblem.message);
        else if (h.ip && taken.has(h.ip)) problem('set.networkId', `${h.ip} is already ${taken.get(h.ip)}'s address on ${refs.network.name}`);
        const v6 = h.ipv6 ? hostIpv6Problem(h.ipv6, refs.network) : null;
        if (v6) problem('set.networkId', v6);
      } else if (h.ip || h.ipv6) {
        problem('set.networkId', `${h.ip ?? h.ipv6} is a reserved address: a host with one keeps a network`);
      }
    }
    const bootOverride = set.bootOverride !== undefined ? set.bootOverride : h.bootOverride;
    const imageOverrideId = set.imageOverrideId !== undefined ? set.imageOverrideId : h.imageOverrideId;
    if (bootOverride === 'image' && !imageOverrideId) problem('set.imageOverrideId', 'name the image to boot once');
    changing.push({ host: h, changes });
  }
  return { changing, problems };
}

function refuse(problems: HostProblem[]): never {
  const first = problems[0]!;
  const shown = problems.slice(0, 3).map((p) => `${p.hostname}: ${p.message}`).join('; ');
  throw new DomainError('conflict', `${problems.length} host${problems.length > 1 ? 's' : ''} can't take this change, so no host was changed (${shown}${problems.length > 3 ? '; …' : ''})`, first.field, { problems: problems.slice(0, 100) });
}

async function bulkUpdate(tx: Tx, actor: Actor, input: Extract<BulkHostAction, { action: 'update' }>, hosts: SelectedHost[]): Promise<BulkHostResult> {
  const { changing, problems } = await planUpdate(tx, input.set, hosts);
  const counts = { action: 'update' as const, dryRun: input.dryRun, matched: hosts.length, changed: changing.length, unchanged: hosts.length - changing.length };
  if (input.dryRun) return { ...counts, hosts: changing.map((c) => ({ id: c.host.id, hostname: c.host.hostname, changes: c.changes })), problems };
  if (problems.length) refuse(problems);
  const ids = changing.map((c) => c.host.id);
  for (const part of chunks(ids)) await tx.host.updateMany({ where: { id: { in: part } }, data: input.set });
  if (ids.length) {
    const fields = Object.keys(input.set) as Array<keyof BulkHostSet>;
    await writeAudit(tx, actor, 'bulk-update', 'host', null,
      { hosts: changing.map(({ host }) => ({ id: host.id, hostname: host.hostname, ...Object.fromEntries(fields.map((f) => [f, host[f]])) })) },
      { set: input.set, hosts: ids.length, selectedBy: input.filter ? { filter: input.filter } : 'hostIds' });
  }
  return counts;
}

async function bulkDelete(tx: Tx, actor: Actor, input: Extract<BulkHostAction, { action: 'delete' }>, hosts: SelectedHost[]): Promise<BulkHostResult> {
  const counts = { action: 'delete' as const, dryRun: input.dryRun, matched: hosts.length, changed: hosts.length, unchanged: 0 };
  if (input.dryRun) return { ...counts, hosts: hosts.map((h) => ({ id: h.id, hostname: h.hostname })), problems: [] };
  for (const part of chunks(hosts.map((h) => h.id))) await tx.host.deleteMany({ where: { id: { in: part } } });
  await writeAudit(tx, actor, 'bulk-delete', 'host', null,
    { hosts: hosts.map((h) => ({ id: h.id, hostname: h.hostname, ip: h.ip, roleId: h.roleId, networkId: h.networkId })) },
    { hosts: 0, deleted: hosts.length, selectedBy: input.filter ? { filter: input.filter } : 'hostIds' });
  return counts;
}

/** A power action: the hosts without a BMC are the problems; the queue checks again when it takes them. */
async function bulkPower(actor: Actor, input: Extract<BulkHostAction, { action: 'power' }>, hosts: SelectedHost[]): Promise<BulkHostResult | BulkPowerView> {
  const problems = hosts.filter((h) => !hasBmc(h)).map((h) => ({ id: h.id, hostname: h.hostname, field: 'hostIds', message: 'has no BMC' }));
  if (input.dryRun) {
    return { action: 'power', dryRun: true, matched: hosts.length, changed: hosts.length - problems.length, unchanged: 0, hosts: hosts.filter((h) => hasBmc(h)).map((h) => ({ id: h.id, hostname: h.hostname })), problems };
  }
  if (problems.length) refuse(problems);
  return queueBulkPower(actor, { action: input.power, hostIds: hosts.map((h) => h.id), hostTimeoutSeconds: input.hostTimeoutSeconds });
}

/** Runs (or, dryRun, plans) one bulk action; see the file's first lines. */
export async function runBulkHostAction(actor: Actor, input: BulkHostAction): Promise<BulkHostResult | BulkPowerView> {
  if (input.action === 'power') {
    const hosts = await selectHosts(db(), input);
    checkSelection(input, hosts);
    return bulkPower(actor, input, hosts);
  }
  return db().$transaction(async (tx) => {
    const hosts = await selectHosts(tx, input);
    checkSelection(input, hosts);
    return input.action === 'update' ? bulkUpdate(tx, actor, input, hosts) : bulkDelete(tx, actor, input, hosts);
  }, bulkTransaction);
}
