// IPv4 addresses as unsigned 32-bit numbers, and CIDR arithmetic: bootd's decisions and the
// console's validation read addresses through the same functions.

export function parseIPv4(text: string): number | null {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export interface Cidr {
  network: number;
  prefixLength: number;
  mask: number;
  broadcast: number;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return null;
  const prefixLength = Number(len);
  const ip = parseIPv4(addr);
  if (ip === null || prefixLength > 32) return null;
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const network = (ip & mask) >>> 0;
  return { network, prefixLength, mask, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ((ip & cidr.mask) >>> 0) === cidr.network;
}

/** A usable host address of the network: not its network or broadcast address (for /31 and /32 every address is usable, RFC 3021). */
export function isUsableHostAddress(cidr: Cidr, ip: number): boolean {
  if (!cidrContains(cidr, ip)) return false;
  if (cidr.prefixLength >= 31) return true;
  return ip !== cidr.network && ip !== cidr.broadcast;
}
