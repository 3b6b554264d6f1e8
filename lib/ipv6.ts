// IPv6 addresses as 128-bit bigints and 16-byte buffers, RFC 5952 text form, prefixes and
// pool arithmetic. Pure: the console validates IPv6 fields with it, bootd's DHCPv6 picks
// addresses with it.

const maxAddress = (1n << 128n) - 1n;

/** Text → 128-bit number, or null when it isn't an IPv6 address (RFC 4291 §2.2 forms, no zone). */
export function parseIPv6(text: string): bigint | null {
  const s = text.trim().toLowerCase();
  if (s.length < 2 || s.length > 45 || s.includes('%')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      // RFC 4291 §2.2 form 3: the last 32 bits may be written as a dotted quad.
      if (i === pieces.length - 1 && piece.includes('.')) {
        const quad = piece.split('.');
        if (quad.length !== 4 || quad.some((q) => !/^\d{1,3}$/.test(q) || Number(q) > 255)) return null;
        const [a, b, c, d] = quad.map(Number) as [number, number, number, number];
        out.push(a * 256 + b, c * 256 + d);
        continue;
      }
      if (!/^[0-9a-f]{1,4}$/.test(piece)) return null;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let value = 0n;
  for (const g of all) value = (value << 16n) | BigInt(g);
  return value;
}

/** 128-bit number → RFC 5952 §4 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::". */
export function formatIPv6(value: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipv6ToBuffer(value: bigint): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(value >> 64n, 0);
  b.writeBigUInt64BE(value & 0xffffffffffffffffn, 8);
  return b;
}

export function ipv6FromBuffer(buf: Buffer, offset = 0): bigint {
  return (buf.readBigUInt64BE(offset) << 64n) | buf.readBigUInt64BE(offset + 8);
}

/** The canonical text of an address given in any spelling, or null. Stored and compared in this form. */
export function canonicalIPv6(text: string): string | null {
  const v = parseIPv6(text);
  return v === null ? null : formatIPv6(v);
}

export interface Ipv6Prefix {
  network: bigint;
  prefixLength: number;
  /** The last address of the prefix. */
  last: bigint;
}

/** "fd77:77::/64" → prefix, or null. Host bits set in the text are cleared. */
export function parseIPv6Prefix(text: string): Ipv6Prefix | null {
  const [addr, len, ...rest] = text.trim().split('/');
  if (rest.length > 0 || addr === undefined || len === undefined || !/^\d{1,3}$/.test(len)) return null;
  const prefixLength = Number(len);
  const ip = parseIPv6(addr);
  if (ip === null || prefixLength > 128) return null;
  const hostBits = maxAddress >> BigInt(prefixLength);
  const network = ip & ~hostBits & maxAddress;
  return { network, prefixLength, last: network | hostBits };
}

export function formatIPv6Prefix(p: Ipv6Prefix): string {
  return `${formatIPv6(p.network)}/${p.prefixLength}`;
}

export function ipv6PrefixContains(p: Ipv6Prefix, ip: bigint): boolean {
  return ip >= p.network && ip <= p.last;
}

/** RFC 4291 §2.5.6: fe80::/10, the link-local unicast addresses. */
export function isLinkLocalIPv6(ip: bigint): boolean {
  return ip >> 118n === 0x3fan;
}

/** "[fd77:77::1]" for URLs (RFC 3986 §3.2.2); IPv4 addresses and names pass unchanged. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
