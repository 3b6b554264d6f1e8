// Hosts: the only code that reads or writes the Host table.
import type { Host, Network, Prisma } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { literalSearchTerm } from '../listing/search-term.ts';
import { encodeCursor, pageArgs, readCursor, toPage, type Page, type SortKey } from '../listing/pagination.ts';
import { parseIPv4 } from '../../lib/ipv4.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { encryptSecret } from '../secrets/encryption.ts';
import { checkHostAddress, hostIpv6Problem, networkForAddress } from './address-rules.ts';
import { hostStates } from '../../lib/host-states.ts';
import type { HostCreate, HostFilter, HostListQuery, HostUpdate } from './schema.ts';

type Tx = Prisma.TransactionClient;

export const bootableImageStatuses: readonly string[] = ['ready', 'trial', 'verified', 'active'];

const listInclude = { role: { select: { id: true, name: true } }, network: { select: { id: true, name: true } } } as const;
type HostRow = Prisma.HostGetPayload<{ include: typeof listInclude }>;

/** A host as the API and the UI show it: the BMC password never leaves the server. */
export type PublicHost = Omit<HostRow, 'bmcPasswordEnc'> & { hasBmcPassword: boolean };

export function toPublicHost<T extends Host>(h: T): Omit<T, 'bmcPasswordEnc'> & { hasBmcPassword: boolean } {
  const { bmcPasswordEnc, ...rest } = h;
  return { ...rest, hasBmcPassword: Boolean(bmcPasswordEnc) };
}

/**
 * The filter as a Prisma where. A role or network given by name is looked up (case-insensitive,
 * as names are unique): an unknown name is a 400 naming the field, never a silent "every host".
 */
export async function hostWhere(q: HostFilter): Promise<Prisma.HostWhereInput> {
  const where: Prisma.HostWhereInput = {};
  const and: Prisma.HostWhereInput[] = [];
  if (q.roleId) and.push({ roleId: q.roleId });
  if (q.role) {
    const role = await db().role.findFirst({ where: { name: { equals: q.role, mode: 'insensitive' } }, select: { id: true } });
    if (!role) throw invalid('role', `no role is named ${q.role}`);
    and.push({ roleId: role.id });
  }
  if (q.networkId) and.push({ networkId: q.networkId });
  if (q.network) {
    const network = await db().network.findFirst({ where: { name: { equals: q.network, mode: 'insensitive' } }, select: { id: true } });
    if (!network) throw invalid('network', `no network is named ${q.network}`);
    and.push({ networkId: network.id });
  }
  if (and.length) where.AND = and;
  if (q.state) where.state = q.state;
  if (q.spare !== undefined) where.spare = q.spare;
  if (q.hasMac !== undefined) where.mac = q.hasMac ? { not: null } : null;
  if (q.q) {
    const term = literalSearchTerm(q.q.toLowerCase());
    const asTyped = literalSearchTerm(q.q);
    where.OR = [
      { hostname: { contains: term } },
      // MACs are stored aa:bb:cc:dd:ee:ff; operators paste them as printed (AA-BB-…, aabb.ccdd.eeff).
      { mac: { contains: normalizeMac(q.q) ?? term.replace(/-/g, ':') } },
      { ip: { startsWith: term } },
      { serial: { contains: asTyped, mode: 'insensitive' } },
      { assetTag: { contains: asTyped, mode: 'insensitive' } },
    ];
  }
  return where;
}

export async function listHosts(q: HostListQuery & { limit: number; cursor?: string; order: 'asc' | 'desc' }): Promise<Page<PublicHost>> {
  const where = await hostWhere(q);
  if (q.sort === 'ip') return listHostsByIp(where, q);
  const sort: SortKey = { field: q.sort, order: q.order, nullable: q.sort === 'lastSeenAt', date: q.sort === 'lastSeenAt' || q.sort === 'createdAt', enumOrder: q.sort === 'state' ? hostStates : undefined };
  const [rows, total] = await Promise.all([
    db().host.findMany({ include: listInclude, ...pageArgs(where, sort, q.limit, q.cursor) }),
    db().host.count({ where }),
  ]);
  const page = toPage(rows, q.limit, total, sort);
  return { ...page, items: page.items.map(toPublicHost) };
}

/**
 * The ip column is text, and as text 10.0.0.100 sorts before 10.0.0.9. So for this sort the
 * filtered hosts' addresses are ordered here by number (hosts without one last, as PostgreSQL
 * puts NULLs), and the page is then read by id. The cursor is the last host's id, as elsewhere.
 */
async function listHostsByIp(where: Prisma.HostWhereInput, q: { limit: number; cursor?: string; order: 'asc' | 'desc' }): Promise<Page<PublicHost>> {
  type Key = { id: string; addr: number | null };
  const ascending = (a: Key, b: Key) => {
    if (a.addr !== b.addr) return a.addr === null ? 1 : b.addr === null ? -1 : a.addr - b.addr;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  const keys: Key[] = (await db().host.findMany({ where, select: { id: true, ip: true } })).map((k) => ({ id: k.id, addr: k.ip === null ? null : parseIPv4(k.ip) }));
  keys.sort(ascending);
  if (q.order === 'desc') keys.reverse();
  const cursor = readCursor(q.cursor);
  let start = 0;
  if (cursor) {
    const addr = cursor.k == null ? null : parseIPv4(cursor.k);
    if (cursor.k === undefined || (cursor.k !== null && addr === null)) throw invalid('cursor', 'the cursor is not one this API returned');
    // By value, like the other sorts: the cursor's own host may have been deleted since.
    const at = keys.findIndex((k) => (q.order === 'asc' ? ascending(k, { id: cursor.id, addr }) > 0 : ascending(k, { id: cursor.id, addr }) < 0));
    start = at < 0 ? keys.length : at;
  }
  const pageKeys = keys.slice(start, start + q.limit);
  const rows = new Map((await db().host.findMany({ where: { id: { in: pageKeys.map((k) => k.id) } }, include: listInclude })).map((h) => [h.id, h]));
  const items = pageKeys.map((k) => rows.get(k.id)).filter((h): h is HostRow => h !== undefined);
  const last = items[items.length - 1];
  const more = start + q.limit < keys.length;
  return { items: items.map(toPublicHost), nextCursor: more && last ? encodeCursor(last.id, last.ip) : null, total: keys.length };
}

/** The cursor that reads on from host h in the list's order (the API's nextCursor names the page's last host so). */
export function hostCursor(h: PublicHost, sort: HostListQuery['sort']): string {
  return encodeCursor(h.id, h[sort] ?? null);
}

/**
 * The page before the host `before` names (the hosts list's "Previous"): the list read the other
 * way from that host, turned back round. Not for lastSeenAt, whose never-seen hosts come last in
 * both orders, so the other way is not the reverse.
 */
export async function listHostsBefore(q: HostListQuery & { limit: number; order: 'asc' | 'desc' }, before: string): Promise<Page<PublicHost> & { prevCursor: string | null }> {
  const back = await listHosts({ ...q, cursor: before, order: q.order === 'asc' ? 'desc' : 'asc' });
  const items = back.items.reverse();
  const last = items[items.length - 1];
  return { items, total: back.total, nextCursor: last ? hostCursor(last, q.sort) : null, prevCursor: back.nextCursor && items[0] ? hostCursor(items[0], q.sort) : null };
}

export async function getHostOrThrow(id: string): Promise<PublicHost> {
  const h = await db().host.findUnique({ where: { id }, include: listInclude });
  if (!h) throw notFound('host');
  return toPublicHost(h);
}

export async function countHostsByState(): Promise<Record<string, number>> {
  const rows = await db().host.groupBy({ by: ['state'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
}

export async function countHostsByRole(): Promise<Array<{ roleId: string | null; count: number }>> {
  const rows = await db().host.groupBy({ by: ['roleId'], _count: { _all: true } });
  return rows.map((r) => ({ roleId: r.roleId, count: r._count._all }));
}

/**
 * Turns validated input into the row to write: picks the network an IP belongs to when none
 * is given, applies the address rules, checks references, encrypts the BMC password.
 */
export async function resolveHostData(
  tx: Tx,
  input: HostUpdate,
  current: Pick<Host, 'ip' | 'networkId' | 'bootOverride' | 'imageOverrideId'> & Partial<Pick<Host, 'ipv6'>> | null,
  known?: { networks: Network[]; roleIds: Set<string> },
): Promise<Prisma.HostUncheckedCreateInput | Prisma.HostUncheckedUpdateInput> {
  const networks = known?.networks;
  const { bmcPassword, ...rest } = input;
  const data: Prisma.HostUncheckedUpdateInput = { ...rest };
  if (bmcPassword !== undefined) data.bmcPasswordEnc = bmcPassword ? encryptSecret(bmcPassword) : null;
  const ip = input.ip !== undefined ? input.ip : current?.ip ?? null;
  let networkId = input.networkId !== undefined ? input.networkId : current?.networkId ?? null;
  if (ip) {
    let network: Network | null = null;
    if (networkId) {
      network = networks?.find((n) => n.id === networkId) ?? (await tx.network.findUnique({ where: { id: networkId } }));
      if (!network) throw invalid('networkId', 'no such network');
    } else {
      network = networkForAddress(ip, networks ?? (await tx.network.findMany()));
      if (!network) throw conflict('ip', `no network contains ${ip}: create the network first or pick another address`);
      networkId = network.id;
      data.networkId = networkId;
    }
    checkHostAddress(ip, network);
  } else if (input.networkId) {
    const exists = networks?.some((n) => n.id === input.networkId) ?? (await tx.network.count({ where: { id: input.networkId } })) > 0;
    if (!exists) throw invalid('networkId', 'no such network');
  }
  const ipv6 = input.ipv6 !== undefined ? input.ipv6 : current?.ipv6 ?? null;
  if (ipv6) {
    // A reserved IPv6 address belongs to the host's network: without one there is no prefix to check it against.
    if (!networkId) throw invalid('ipv6', 'an IPv6 reservation needs the host\'s network');
    const network = networks?.find((n) => n.id === networkId) ?? (await tx.network.findUnique({ where: { id: networkId } }));
    const problem = network ? hostIpv6Problem(ipv6, network) : 'no such network';
    if (problem) throw conflict('ipv6', problem);
  }
  if (input.roleId && !(known ? known.roleIds.has(input.roleId) : (await tx.role.count({ where: { id: input.roleId } })) > 0)) {
    throw invalid('roleId', 'no such role');
  }
  const bootOverride = input.bootOverride !== undefined ? input.bootOverride : current?.bootOverride ?? null;
  const imageOverrideId = input.imageOverrideId !== undefined ? input.imageOverrideId : current?.imageOverrideId ?? null;
  if (bootOverride === 'image' && !imageOverrideId) throw invalid('imageOverrideId', 'name the image to boot once');
  if (input.imageOverrideId) {
    const image = await tx.image.findUnique({ where: { id: input.imageOverrideId }, select: { version: true, status: true } });
    if (!image) throw invalid('imageOverrideId', 'no such image');
    // An uploading, failed or retired image has no kernel and initrd to serve: the boot would fail.
    if (!bootableImageStatuses.includes(image.status)) throw invalid('imageOverrideId', `image ${image.version} is ${image.status}; only a ready, trial, verified or active image can boot`);
  }
  return data;
}

export async function createHost(actor: Actor, input: HostCreate): Promise<PublicHost> {
  return db().$transaction(async (tx) => {
    const data = (await resolveHostData(tx, input, null)) as Prisma.HostUncheckedCreateInput;
    const h = await tx.host.create({ data, include: listInclude });
    await writeAudit(tx, actor, 'create', 'host', h.id, null, toPublicHost(h));
    return toPublicHost(h);
  });
}

export async function updateHost(actor: Actor, id: string, input: HostUpdate): Promise<PublicHost> {
  return db().$transaction(async (tx) => {
    // Read with the same relations as the result, so the audit's before and after compare alike.
    const before = await tx.host.findUnique({ where: { id }, include: listInclude });
    if (!before) throw notFound('host');
    const data = (await resolveHostData(tx, input, before)) as Prisma.HostUncheckedUpdateInput;
    const after = await tx.host.update({ where: { id }, data, include: listInclude });
    await writeAudit(tx, actor, 'update', 'host', id, toPublicHost(before), toPublicHost(after));
    return toPublicHost(after);
  });
}

export async function deleteHost(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.host.findUnique({ where: { id }, include: listInclude });
    if (!before) throw notFound('host');
    await tx.host.delete({ where: { id } });
    await writeAudit(tx, actor, 'delete', 'host', id, toPublicHost(before), null);
  });
}
