// The machine's network interfaces as the kernel has them (`ip -j addr`, iproute2's JSON over
// netlink), not os.networkInterfaces(): libuv leaves out an interface without carrier (a
// bridge with no port up yet, a cable out at power-on), while its address is there and bootd
// can bind to it. Reading and judging are apart: parseIpAddrJson is pure, readKernelInterfaces
// runs `ip`.
import { execFileSync } from 'node:child_process';

export interface KernelInterface {
  name: string;
  /** Administratively up (IFF_UP): without it the kernel drops the address's local route, and bind() fails. */
  up: boolean;
  /** Link detected (IFF_LOWER_UP): a bridge has it once one of its ports has. */
  carrier: boolean;
  /** IPv4 addresses, primary first. */
  ipv4: string[];
  /** Global-scope IPv6 addresses (no link-local ones) ready for use: where TFTP, HTTP and syslog listen for IPv6 clients. Absent: none read. */
  ipv6?: string[];
  /**
   * Global IPv6 addresses still in duplicate address detection (RFC 4862 §5.4: "tentative"):
   * while DAD runs the kernel refuses to bind them (EADDRNOTAVAIL); it runs once the link has
   * carrier, DupAddrDetectTransmits probes a RetransTimer apart (1 × 1 s by default). Absent: none.
   */
  ipv6Tentative?: string[];
  /** Global IPv6 addresses whose DAD found another holder (RFC 4862 §5.4.5): never usable. Absent: none. */
  ipv6Duplicate?: string[];
}

interface IpAddrEntry {
  ifname?: unknown;
  flags?: unknown;
  addr_info?: unknown;
}

interface IpAddrInfo {
  family?: unknown;
  local?: unknown;
  secondary?: unknown;
  scope?: unknown;
  tentative?: unknown;
  optimistic?: unknown;
  dadfailed?: unknown;
}

/** `ip -j addr show` output → interfaces; entries that don't have the expected shape are skipped. */
export function parseIpAddrJson(text: string): KernelInterface[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return [];
  const result: KernelInterface[] = [];
  for (const entry of parsed as IpAddrEntry[]) {
    if (typeof entry?.ifname !== 'string') continue;
    const flags = Array.isArray(entry.flags) ? entry.flags.filter((f): f is string => typeof f === 'string') : [];
    const addrs = Array.isArray(entry.addr_info) ? (entry.addr_info as IpAddrInfo[]) : [];
    const global6 = addrs.filter((a) => a.family === 'inet6' && a.scope === 'global' && typeof a.local === 'string');
    // An optimistic address (RFC 4429) may be used during DAD; a plain tentative one can't.
    const inDad = (a: IpAddrInfo) => a.tentative === true && a.optimistic !== true && a.dadfailed !== true;
    const tentative = global6.filter(inDad).map((a) => a.local as string);
    const duplicate = global6.filter((a) => a.dadfailed === true).map((a) => a.local as string);
    const iface: KernelInterface = {
      name: entry.ifname,
      up: flags.includes('UP'),
      carrier: flags.includes('LOWER_UP'),
      // iproute2 lists the primary address first and marks the others "secondary".
      ipv4: addrs.filter((a) => a.family === 'inet' && typeof a.local === 'string').sort((a, b) => Number(a.secondary === true) - Number(b.secondary === true)).map((a) => a.local as string),
      ipv6: global6.filter((a) => !inDad(a) && a.dadfailed !== true).map((a) => a.local as string),
    };
    if (tentative.length > 0) iface.ipv6Tentative = tentative;
    if (duplicate.length > 0) iface.ipv6Duplicate = duplicate;
    result.push(iface);
  }
  return result;
}

/** Every interface of this network namespace, from the kernel. Throws when `ip` can't run. */
export function readKernelInterfaces(): KernelInterface[] {
  return parseIpAddrJson(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** What keeps bootd from serving on a boot interface yet, in the operator's words, or null when it can. */
export function interfaceNotReadyReason(name: string, interfaces: readonly KernelInterface[]): string | null {
  const found = interfaces.find((i) => i.name === name);
  if (!found) return `boot interface ${name} does not exist`;
  if (found.ipv4.length === 0) return `boot interface ${name} has no IPv4 address`;
  if (!found.up) return `boot interface ${name} is down (ip link set ${name} up)`;
  // TFTP, HTTP and syslog bind each boot address, and Linux refuses (EADDRNOTAVAIL) an address
  // whose DAD is running, so bootd waits for DAD to end rather than exit and be restarted in a
  // loop. Without carrier DAD hasn't started and the tentative address binds (seen on 6.18):
  // such an interface is ready, like its IPv4 address.
  if (found.carrier && found.ipv6Tentative?.length) {
    return `boot interface ${name}: duplicate address detection of ${found.ipv6Tentative.join(', ')} is still running (the kernel can't bind it until it ends)`;
  }
  return null;
}

/** Boot interfaces as configured: FLEETBOOT_BOOT_INTERFACE, one name or several separated by commas. */
export function parseInterfaceList(raw: string | undefined): string[] {
  return [...new Set((raw ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
}
