// A boot network: addressing, what DHCP hands out, the discovery pool, relays.
import { z } from 'zod';
import { cidrContains, parseCidr, parseIPv4 } from '../../lib/ipv4.ts';
import { ipv6PrefixContains, parseIPv6, parseIPv6Prefix } from '../../lib/ipv6.ts';
import type { NetworkBootServers, NetworkSettings } from '../../lib/network-settings.ts';
import { cidr, ipv4, ipv6, ipv6Prefix, optionalNullable, slug, uuid } from '../validation/fields.ts';

const networkFields = {
  name: slug,
  cidr,
  gateway: optionalNullable(ipv4),
  dnsServers: z.array(ipv4).max(8).optional(),
  domain: optionalNullable(z.string().trim().max(253).regex(/^[a-z0-9.-]*$/i, 'must be a DNS domain')),
  bootServer: optionalNullable(ipv4),
  poolStart: optionalNullable(ipv4),
  poolEnd: optionalNullable(ipv4),
  leaseSeconds: z.coerce.number().int().min(60).max(31_536_000).optional(),
  relayAddresses: z.array(ipv4).max(64).optional(),
  discoveryEnabled: z.boolean().optional(),
  /** The named boot server that answers it (Boot servers); none: only unnamed bootd do. */
  bootServerId: optionalNullable(uuid),
  /** A second one: the two split unknown clients by the RFC 3074 hash and stand in for each other. */
  peerBootServerId: optionalNullable(uuid),
  ipv6Prefix: optionalNullable(ipv6Prefix),
  ipv6PoolStart: optionalNullable(ipv6),
  ipv6PoolEnd: optionalNullable(ipv6),
  ipv6BootServer: optionalNullable(ipv6),
};

type NetworkShape = {
  cidr?: string; gateway?: string | null; poolStart?: string | null; poolEnd?: string | null; bootServerId?: string | null; peerBootServerId?: string | null;
  ipv6Prefix?: string | null; ipv6PoolStart?: string | null; ipv6PoolEnd?: string | null; ipv6BootServer?: string | null;
};

/** The IPv6 side: the pool and bootd's address need the prefix, the pool sits inside it, whole and in order. */
function checkIpv6Addresses(n: NetworkShape, ctx: z.RefinementCtx): void {
  const prefix = n.ipv6Prefix ? parseIPv6Prefix(n.ipv6Prefix) : null;
  for (const field of ['ipv6PoolStart', 'ipv6PoolEnd', 'ipv6BootServer'] as const) {
    const value = n[field];
    if (!value) continue;
    if (!n.ipv6Prefix) { ctx.addIssue({ code: 'custom', path: [field], message: 'set the IPv6 prefix first' }); continue; }
    const addr = parseIPv6(value);
    if (prefix && addr !== null && field !== 'ipv6BootServer' && !ipv6PrefixContains(prefix, addr)) ctx.addIssue({ code: 'custom', path: [field], message: `${value} is outside ${n.ipv6Prefix}` });
  }
  if ((n.ipv6PoolStart == null) !== (n.ipv6PoolEnd == null)) {
    ctx.addIssue({ code: 'custom', path: [n.ipv6PoolStart == null ? 'ipv6PoolStart' : 'ipv6PoolEnd'], message: 'give both ends of the IPv6 pool, or neither' });
  }
  const start = n.ipv6PoolStart ? parseIPv6(n.ipv6PoolStart) : null;
  const end = n.ipv6PoolEnd ? parseIPv6(n.ipv6PoolEnd) : null;
  if (start !== null && end !== null && start > end) ctx.addIssue({ code: 'custom', path: ['ipv6PoolEnd'], message: 'must not be below ipv6PoolStart' });
}

/** Checks that need several fields: addresses inside the CIDR, a pool given whole and in order. */
export function checkNetworkAddresses(n: NetworkShape, ctx: z.RefinementCtx): void {
  checkIpv6Addresses(n, ctx);
  const net = n.cidr ? parseCidr(n.cidr) : null;
  if (!net) return;
  for (const field of ['gateway', 'poolStart', 'poolEnd'] as const) {
    const value = n[field];
    const addr = value ? parseIPv4(value) : null;
    if (addr !== null && !cidrContains(net, addr)) ctx.addIssue({ code: 'custom', path: [field], message: `${value} is outside ${n.cidr}` });
  }
  if ((n.poolStart == null) !== (n.poolEnd == null)) {
    ctx.addIssue({ code: 'custom', path: [n.poolStart == null ? 'poolStart' : 'poolEnd'], message: 'give both ends of the discovery pool, or neither' });
  }
  const start = n.poolStart ? parseIPv4(n.poolStart) : null;
  const end = n.poolEnd ? parseIPv4(n.poolEnd) : null;
  if (start !== null && end !== null && start > end) ctx.addIssue({ code: 'custom', path: ['poolEnd'], message: 'must not be below poolStart' });
  if (n.peerBootServerId && !n.bootServerId) ctx.addIssue({ code: 'custom', path: ['peerBootServerId'], message: 'pick the first boot server before a second one' });
  if (n.peerBootServerId && n.peerBootServerId === n.bootServerId) ctx.addIssue({ code: 'custom', path: ['peerBootServerId'], message: 'must be another boot server than the first' });
}

export const networkCreate = z.object(networkFields).strict().superRefine(checkNetworkAddresses);
export const networkUpdate = z.object(networkFields).partial().strict();

export type NetworkCreate = z.infer<typeof networkCreate>;
export type NetworkUpdate = z.infer<typeof networkUpdate>;

export const networkListQuery = z.object({
  q: z.string().max(100).optional(),
  sort: z.enum(['name', 'cidr', 'createdAt']).default('name'),
});

// bootd's view and the console's form read a network as lib/network-settings.ts: this stops
// compiling when the API's fields and that shape drift apart.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _networkSettingsMatch: Exactly<{ [K in keyof NetworkCreate]-?: Exclude<NetworkCreate[K], undefined> }, NetworkSettings & NetworkBootServers> = true;
