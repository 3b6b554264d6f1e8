// Where a host's reserved address may sit on its network (the API answers 409 when it can't):
// inside the CIDR, not the network or broadcast address, not the gateway or the boot server,
// and not inside the discovery pool (DHCP hands those out to unknown machines).
import type { Network } from '@prisma/client';
import { cidrContains, isUsableHostAddress, parseCidr, parseIPv4 } from '../../lib/ipv4.ts';
import { ipv6PrefixContains, parseIPv6, parseIPv6Prefix } from '../../lib/ipv6.ts';
import { conflict } from '../errors.ts';

type NetworkAddressing = Pick<Network, 'name' | 'cidr'> & Partial<Pick<Network, 'gateway' | 'bootServer' | 'poolStart' | 'poolEnd'>>;

/** Which network setting an address collides with: the field a network change would break. */
export type AddressRule = 'cidr' | 'gateway' | 'bootServer' | 'poolStart';

/** Why ip can't be reserved on network, or null when it can. */
export function hostAddressProblem(ip: string, network: NetworkAddressing): { rule: AddressRule; message: string } | null {
  const net = parseCidr(network.cidr);
  const addr = parseIPv4(ip);
  if (!net || addr === null) return null;
  if (!cidrContains(net, addr)) return { rule: 'cidr', message: `${ip} is outside network ${network.name} (${network.cidr})` };
  if (!isUsableHostAddress(net, addr)) return { rule: 'cidr', message: `${ip} is the network or broadcast address of ${network.cidr}` };
  if (ip === network.gateway) return { rule: 'gateway', message: `${ip} is the gateway of ${network.name}` };
  if (ip === network.bootServer) return { rule: 'bootServer', message: `${ip} is the boot server of ${network.name}` };
  const start = network.poolStart ? parseIPv4(network.poolStart) : null;
  const end = network.poolEnd ? parseIPv4(network.poolEnd) : null;
  if (start !== null && end !== null && addr >= start && addr <= end) {
    return { rule: 'poolStart', message: `${ip} is inside the discovery pool of ${network.name} (${network.poolStart}–${network.poolEnd})` };
  }
  return null;
}

export function checkHostAddress(ip: string, network: NetworkAddressing): void {
  const problem = hostAddressProblem(ip, network);
  if (problem) throw conflict('ip', problem.message);
}

type NetworkIpv6Addressing = Pick<Network, 'name'> & Partial<Pick<Network, 'ipv6Prefix' | 'ipv6PoolStart' | 'ipv6PoolEnd' | 'ipv6BootServer'>>;

/** Why ipv6 can't be reserved on network (no IPv6 prefix, outside it, bootd's own, inside the DHCPv6 pool), or null. */
export function hostIpv6Problem(ipv6: string, network: NetworkIpv6Addressing): string | null {
  const prefix = network.ipv6Prefix ? parseIPv6Prefix(network.ipv6Prefix) : null;
  const addr = parseIPv6(ipv6);
  if (addr === null) return null;
  if (!prefix) return `network ${network.name} has no IPv6 prefix`;
  if (!ipv6PrefixContains(prefix, addr)) return `${ipv6} is outside ${network.name}'s IPv6 prefix ${network.ipv6Prefix}`;
  if (ipv6 === network.ipv6BootServer) return `${ipv6} is the IPv6 boot server of ${network.name}`;
  const start = network.ipv6PoolStart ? parseIPv6(network.ipv6PoolStart) : null;
  const end = network.ipv6PoolEnd ? parseIPv6(network.ipv6PoolEnd) : null;
  if (start !== null && end !== null && addr >= start && addr <= end) return `${ipv6} is inside the DHCPv6 pool of ${network.name}`;
  return null;
}

/** The network whose CIDR holds ip (most specific first), for a host given an IP but no network. */
export function networkForAddress<T extends Pick<Network, 'cidr'>>(ip: string, networks: T[]): T | null {
  const addr = parseIPv4(ip);
  if (addr === null) return null;
  let best: T | null = null;
  let bestLen = -1;
  for (const n of networks) {
    const c = parseCidr(n.cidr);
    if (c && c.prefixLength > bestLen && cidrContains(c, addr)) {
      best = n;
      bestLen = c.prefixLength;
    }
  }
  return best;
}
