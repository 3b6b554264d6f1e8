// A boot network as an operator describes it (prisma/schema.prisma Network, the API's
// networkCreate in server/networks/schema.ts): what bootd's view holds of it and what the
// console's form edits.

export interface NetworkSettings {
  name: string;
  /** e.g. "10.66.0.0/24" */
  cidr: string;
  gateway: string | null;
  dnsServers: string[];
  domain: string | null;
  /** The address bootd answers from on this network (siaddr / next-server). */
  bootServer: string | null;
  poolStart: string | null;
  poolEnd: string | null;
  leaseSeconds: number;
  /** giaddr values of relays serving this network. */
  relayAddresses: string[];
  discoveryEnabled: boolean;
  /** Optional IPv6 boot network: the on-link prefix DHCPv6 serves (e.g. "fd77:77::/64"). */
  ipv6Prefix: string | null;
  /** DHCPv6 IA_NA pool inside ipv6Prefix, both ends or neither. */
  ipv6PoolStart: string | null;
  ipv6PoolEnd: string | null;
  /** bootd's IPv6 address on this network: DHCPv6 boot file URLs name it. */
  ipv6BootServer: string | null;
}

/** The boot servers the console assigns a network to (by id); bootd's view carries their names. */
export interface NetworkBootServers {
  bootServerId: string | null;
  peerBootServerId: string | null;
}
