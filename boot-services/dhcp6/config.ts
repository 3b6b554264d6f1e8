// DHCPv6 settings from the environment, and bootd's IPv6 address on the boot interface read
// from the kernel (`ip -j -6 addr`: an interface without carrier still lists its addresses,
// which Node's os.networkInterfaces() leaves out).
//   FLEETBOOT_SERVICES            lists dhcp6 (by default it does); like DHCP, it answers only with
//                                 FLEETBOOT_BOOT_INTERFACE named or dhcp6 listed explicitly
//   FLEETBOOT_DHCP6_PORT          udp port (547)
//   FLEETBOOT_BOOTD_ADDRESS6      bootd's IPv6 address for boot URLs (default: the interface's first global one)
import { execFileSync } from 'node:child_process';
import { canonicalIPv6, isLinkLocalIPv6, parseIPv6 } from '../../lib/ipv6.ts';
import { defaultServices } from '../config.ts';
import { serverPort } from './options.ts';

export interface Dhcp6Config {
  enabled: boolean;
  port: number;
  /** Null: no IPv6 address known; boot URLs then use the network's ipv6BootServer only. */
  serverAddress6: string | null;
}

interface IpJsonInterface { ifname?: string; addr_info?: Array<{ family?: string; local?: string; scope?: string }> }

/** The first global (not link-local) IPv6 address of an interface, from the kernel; null when none or unreadable. */
export function interfaceIpv6Address(interfaceName: string, run: (args: string[]) => string = (args) => execFileSync('ip', args, { encoding: 'utf8', timeout: 5000 })): string | null {
  try {
    const list = JSON.parse(run(['-j', '-6', 'addr', 'show', 'dev', interfaceName])) as IpJsonInterface[];
    for (const i of list) {
      for (const a of i.addr_info ?? []) {
        const v = a.local ? parseIPv6(a.local) : null;
        if (a.family === 'inet6' && v !== null && !isLinkLocalIPv6(v) && a.scope !== 'host') return canonicalIPv6(a.local!);
      }
    }
  } catch { /* no such interface or no `ip`: the caller says what is missing */ }
  return null;
}

export function loadDhcp6Config(env: Record<string, string | undefined>, opts: { interfaceName: string | null }): Dhcp6Config {
  const services = new Set((env.FLEETBOOT_SERVICES ?? defaultServices).split(',').map((s) => s.trim()));
  const portText = env.FLEETBOOT_DHCP6_PORT;
  const port = portText ? Number(portText) : serverPort;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`FLEETBOOT_DHCP6_PORT must be a port number, got "${portText}"`);
  const explicit = env.FLEETBOOT_BOOTD_ADDRESS6 ? canonicalIPv6(env.FLEETBOOT_BOOTD_ADDRESS6) : null;
  if (env.FLEETBOOT_BOOTD_ADDRESS6 && !explicit) throw new Error(`FLEETBOOT_BOOTD_ADDRESS6 is not an IPv6 address: "${env.FLEETBOOT_BOOTD_ADDRESS6}"`);
  return {
    // Like DHCPv4 (config.ts): never by itself on whatever network the machine sits on.
    enabled: services.has('dhcp6') && (opts.interfaceName !== null || env.FLEETBOOT_SERVICES !== undefined),
    port,
    serverAddress6: explicit ?? (opts.interfaceName ? interfaceIpv6Address(opts.interfaceName) : null),
  };
}
