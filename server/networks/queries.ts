// Networks: the only code that reads or writes the Network table.
import type { Network, Prisma } from '@prisma/client';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, notFound } from '../errors.ts';
import { hostAddressProblem, hostIpv6Problem } from '../hosts/address-rules.ts';
import { literalSearchTerm } from '../listing/search-term.ts';
import { pageArgs, toPage, type Page, type SortKey } from '../listing/pagination.ts';
import { checkNetworkAddresses, networkCreate, type NetworkCreate, type NetworkUpdate, type networkListQuery } from './schema.ts';

export async function listNetworks(q: z.infer<typeof networkListQuery> & { limit: number; cursor?: string; order: 'asc' | 'desc' }): Promise<Page<Network & { hostCount: number }>> {
  const term = q.q ? literalSearchTerm(q.q) : undefined;
  const where: Prisma.NetworkWhereInput = term ? { OR: [{ name: { contains: term, mode: 'insensitive' } }, { cidr: { startsWith: term } }] } : {};
  const sort: SortKey = { field: q.sort, order: q.order, date: q.sort === 'createdAt' };
  const rows = await db().network.findMany({ include: { _count: { select: { hosts: true } } }, ...pageArgs(where, sort, q.limit, q.cursor) });
  const page = toPage(rows, q.limit, await db().network.count({ where }), sort);
  return { ...page, items: page.items.map(({ _count, ...n }) => ({ ...n, hostCount: _count.hosts })) };
}

export async function getNetworkOrThrow(id: string): Promise<Network> {
  const n = await db().network.findUnique({ where: { id } });
  if (!n) throw notFound('network');
  return n;
}

export async function findNetworkByName(name: string): Promise<Network | null> {
  return db().network.findUnique({ where: { name } });
}

export async function createNetwork(actor: Actor, input: NetworkCreate): Promise<Network> {
  return db().$transaction(async (tx) => {
    const n = await tx.network.create({ data: input });
    await writeAudit(tx, actor, 'create', 'network', n.id, null, n);
    return n;
  });
}

export async function updateNetwork(actor: Actor, id: string, input: NetworkUpdate): Promise<Network> {
  return db().$transaction(async (tx) => {
    const before = await tx.network.findUnique({ where: { id } });
    if (!before) throw notFound('network');
    // Re-check the whole record as it will be: a new CIDR must still hold the pool and gateway.
    const merged = networkCreate.parse({ ...stripNetwork(before), ...input });
    // ...and the hosts reserved on it must still fit: a narrower CIDR or a pool moved over a
    // reserved address would hand one address to two machines.
    const hosts = await tx.host.findMany({ where: { networkId: id, OR: [{ ip: { not: null } }, { ipv6: { not: null } }] }, select: { hostname: true, ip: true, ipv6: true } });
    for (const h of hosts) {
      const problem = h.ip ? hostAddressProblem(h.ip, merged) : null;
      if (problem) throw conflict(problem.rule, `host ${h.hostname}: ${problem.message}`);
      const v6Problem = h.ipv6 ? hostIpv6Problem(h.ipv6, { ...merged, name: merged.name }) : null;
      if (v6Problem) throw conflict('ipv6Prefix', `host ${h.hostname}: ${v6Problem}`);
    }
    const after = await tx.network.update({ where: { id }, data: input });
    await writeAudit(tx, actor, 'update', 'network', id, before, after);
    return after;
  });
}

export async function deleteNetwork(actor: Actor, id: string): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.network.findUnique({ where: { id }, include: { _count: { select: { hosts: true } } } });
    if (!before) throw notFound('network');
    // The hosts would keep their addresses with no network: outside every address rule and
    // the per-network uniqueness of IPs, and unreachable for DHCP. Move or delete them first.
    if (before._count.hosts > 0) throw conflict('id', `network ${before.name} still has ${before._count.hosts} host(s): move or delete them first`);
    await tx.network.delete({ where: { id } });
    const { _count: _hosts, ...row } = before;
    await writeAudit(tx, actor, 'delete', 'network', id, row, null);
  });
}

function stripNetwork(n: Network): NetworkCreate {
  const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = n;
  return rest;
}

export { checkNetworkAddresses };
