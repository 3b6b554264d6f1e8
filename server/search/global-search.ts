// The console's global search (the search box every page has, `/` focuses it): one term looked
// up across hosts (name, MAC, IP, serial, asset tag: the hosts list's own search), roles,
// images (version, or its role's name) and networks (name, CIDR), a few of each with the count.
import { db } from '../db/client.ts';
import { literalSearchTerm } from '../listing/search-term.ts';
import { hostWhere } from '../hosts/queries.ts';
import type { GlobalSearchQuery } from './schema.ts';

export interface SearchHit { id: string; label: string; detail: string; href: string }
export interface SearchGroup { total: number; items: SearchHit[] }
export interface GlobalSearchResult { q: string; hosts: SearchGroup; roles: SearchGroup; images: SearchGroup; networks: SearchGroup }

export async function globalSearch(query: GlobalSearchQuery): Promise<GlobalSearchResult> {
  const { q, limit } = query;
  const term = { contains: literalSearchTerm(q), mode: 'insensitive' as const };
  const hostsWhere = await hostWhere({ q });
  const rolesWhere = { name: term };
  const imagesWhere = { OR: [{ version: term }, { role: { name: term } }] };
  const networksWhere = { OR: [{ name: term }, { cidr: { startsWith: literalSearchTerm(q) } }] };
  const [hosts, hostTotal, roles, roleTotal, images, imageTotal, networks, networkTotal] = await Promise.all([
    db().host.findMany({ where: hostsWhere, orderBy: { hostname: 'asc' }, take: limit, select: { id: true, hostname: true, mac: true, ip: true, serial: true, state: true, role: { select: { name: true } } } }),
    db().host.count({ where: hostsWhere }),
    db().role.findMany({ where: rolesWhere, orderBy: { name: 'asc' }, take: limit, select: { id: true, name: true, rootMode: true } }),
    db().role.count({ where: rolesWhere }),
    db().image.findMany({ where: imagesWhere, orderBy: { createdAt: 'desc' }, take: limit, select: { id: true, version: true, status: true, role: { select: { name: true } } } }),
    db().image.count({ where: imagesWhere }),
    db().network.findMany({ where: networksWhere, orderBy: { name: 'asc' }, take: limit, select: { id: true, name: true, cidr: true } }),
    db().network.count({ where: networksWhere }),
  ]);
  return {
    q,
    hosts: { total: hostTotal, items: hosts.map((h) => ({ id: h.id, label: h.hostname, detail: [h.state, h.role?.name, h.ip, h.mac, h.serial].filter(Boolean).join(' · '), href: `/hosts/${h.id}` })) },
    roles: { total: roleTotal, items: roles.map((r) => ({ id: r.id, label: r.name, detail: `${r.rootMode} root`, href: `/roles/${r.id}` })) },
    images: { total: imageTotal, items: images.map((i) => ({ id: i.id, label: `${i.role.name} ${i.version}`, detail: i.status, href: `/images/${i.id}` })) },
    networks: { total: networkTotal, items: networks.map((n) => ({ id: n.id, label: n.name, detail: n.cidr, href: `/networks/${n.id}` })) },
  };
}
