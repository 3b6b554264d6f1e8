// DHCPv4 wire format (RFC 2131 §2, RFC 2132, RFC 3396): bytes ⇄ DhcpPacket. Pure: it knows
// bytes and options and nothing of booting. Network input is hostile: decodePacket never
// throws, a malformed packet comes back as { ok: false, reason }.
import {
  BootpOp, ClientArch, DhcpOption, RelayAgentSubOption, broadcastFlag, highestMessageType, magicCookie,
} from '../../lib/dhcp/options.ts';

/** Options in wire order; RFC 3396: all instances of one code are joined into one value. */
export type DhcpOptions = Map<number, Buffer>;

export interface DhcpPacket {
  op: BootpOp;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The 16-byte chaddr field as sent. */
  chaddr: Buffer;
  /** sname (RFC 2131 §2), up to its first NUL; empty when overloaded with options. */
  serverName: string;
  /** file (RFC 2131 §2), up to its first NUL; empty when overloaded with options. */
  bootFileName: string;
  options: DhcpOptions;
}

export type DecodeResult = { ok: true; packet: DhcpPacket } | { ok: false; reason: string };

const headerBytes = 236;
const chaddrOffset = 28;
const snameOffset = 44;
const snameBytes = 64;
const fileOffset = 108;
const fileBytes = 128;
const optionsOffset = headerBytes + 4;
/** RFC 1542 §3.5 / RFC 2131 §2: a BOOTP message is at least 300 bytes on the wire. */
export const minimumMessageBytes = 300;
/** RFC 2131 §2: every client must accept 576-byte messages; larger only if it says so (option 57). */
export const defaultMaxMessageBytes = 576;
/** IP (20) + UDP (8) headers, subtracted from option 57 (RFC 2132 §9.10 counts the whole datagram). */
const ipUdpHeaderBytes = 28;

/** Lengths the state machine relies on: a packet breaking one is malformed, not guessed at. */
const optionLengthRules: Partial<Record<number, { exact?: number; min?: number; multipleOf?: number }>> = {
  [DhcpOption.SubnetMask]: { exact: 4 },
  [DhcpOption.Router]: { min: 4, multipleOf: 4 },
  [DhcpOption.DomainNameServer]: { min: 4, multipleOf: 4 },
  [DhcpOption.RequestedIpAddress]: { exact: 4 },
  [DhcpOption.IpAddressLeaseTime]: { exact: 4 },
  [DhcpOption.OptionOverload]: { exact: 1 },
  [DhcpOption.MessageType]: { exact: 1 },
  [DhcpOption.ServerIdentifier]: { exact: 4 },
  [DhcpOption.ParameterRequestList]: { min: 1 },
  [DhcpOption.MaximumMessageSize]: { exact: 2 },
  [DhcpOption.ClientIdentifier]: { min: 2 },
  [DhcpOption.ClientArchitecture]: { min: 2, multipleOf: 2 },
  [DhcpOption.ClientNetworkInterface]: { exact: 3 },
};

const zeroAddress = '0.0.0.0';

export function ipToString(buf: Buffer, offset: number): string {
  // Most header addresses of a request are 0.0.0.0: one shared string instead of a new one each.
  if (buf[offset] === 0 && buf[offset + 1] === 0 && buf[offset + 2] === 0 && buf[offset + 3] === 0) return zeroAddress;
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

/** Dotted quad → uint32, or null when it isn't one. One pass, no regex: it runs for every address of every reply. */
export function parseIp(ip: string): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return null;
      digits++;
    } else {
      return null;
    }
  }
  if (digits === 0 || dots !== 3) return null;
  return value * 256 + part;
}

export function ipFromNumber(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function ipToBuffer(ip: string): Buffer {
  const b = Buffer.alloc(4);
  writeIp(b, 0, ip);
  return b;
}

function writeIp(buf: Buffer, offset: number, ip: string): void {
  if (ip === zeroAddress) return; // the buffer is zeroed
  const n = parseIp(ip);
  if (n === null) throw new Error(`not an IPv4 address: ${ip}`);
  buf.writeUInt32BE(n >>> 0, offset);
}

function cString(buf: Buffer, start: number, length: number): string {
  if (buf[start] === 0) return ''; // sname and file are empty in most requests
  const field = buf.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('latin1');
}

/**
 * Parses one options area (the options field, or an overloaded file/sname field) into `into`,
 * joining repeated codes (RFC 3396 §6). Returns a reason when the area is malformed.
 */
function parseOptionArea(buf: Buffer, start: number, end: number, into: DhcpOptions, area: string): string | null {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === DhcpOption.Pad) { i += 1; continue; }
    if (code === DhcpOption.End) return null;
    if (i + 1 >= end) return `truncated-option-in-${area}`;
    const length = buf[i + 1]!;
    if (i + 2 + length > end) return `truncated-option-in-${area}`;
    // A view, not a copy: every datagram arrives in its own Buffer, which nothing reuses.
    const value = buf.subarray(i + 2, i + 2 + length);
    const previous = into.get(code);
    into.set(code, previous ? Buffer.concat([previous, value]) : value);
    i += 2 + length;
  }
  // RFC 2131 §4.1 / RFC 2132 §3.2: each options area ends with END.
  return `missing-end-in-${area}`;
}

function checkOptionLengths(options: DhcpOptions): string | null {
  for (const [code, value] of options) {
    const rule = optionLengthRules[code];
    if (!rule) continue;
    const name = DhcpOption[code] ?? String(code);
    if (rule.exact !== undefined && value.length !== rule.exact) return `bad-length-${name}`;
    if (rule.min !== undefined && value.length < rule.min) return `bad-length-${name}`;
    if (rule.multipleOf !== undefined && value.length % rule.multipleOf !== 0) return `bad-length-${name}`;
  }
  const type = options.get(DhcpOption.MessageType);
  if (type && (type[0]! < 1 || type[0]! > highestMessageType)) return 'bad-message-type';
  return null;
}

/** Bytes → packet. Never throws: malformed input gives a reason (counted by the server). */
export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < headerBytes) return { ok: false, reason: 'truncated-header' };
  const op = buf[0]!;
  if (op !== BootpOp.Request && op !== BootpOp.Reply) return { ok: false, reason: 'bad-op' };
  const hlen = buf[2]!;
  if (hlen > 16) return { ok: false, reason: 'bad-hlen' };
  if (buf.length < optionsOffset) return { ok: false, reason: 'truncated-magic-cookie' };
  if (buf.readUInt32BE(headerBytes) !== magicCookie) return { ok: false, reason: 'bad-magic-cookie' };

  const options: DhcpOptions = new Map();
  const mainReason = parseOptionArea(buf, optionsOffset, buf.length, options, 'options');
  if (mainReason) return { ok: false, reason: mainReason };

  // RFC 2131 §4.1: with option 52, the file field is read before sname (RFC 3396 §7 order).
  const overloadValue = options.get(DhcpOption.OptionOverload);
  let overload = 0;
  if (overloadValue) {
    if (overloadValue.length !== 1 || overloadValue[0]! < 1 || overloadValue[0]! > 3) return { ok: false, reason: 'bad-length-OptionOverload' };
    overload = overloadValue[0]!;
    options.delete(DhcpOption.OptionOverload);
    if (overload & 1) {
      const r = parseOptionArea(buf, fileOffset, fileOffset + fileBytes, options, 'file');
      if (r) return { ok: false, reason: r };
    }
    if (overload & 2) {
      const r = parseOptionArea(buf, snameOffset, snameOffset + snameBytes, options, 'sname');
      if (r) return { ok: false, reason: r };
    }
  }
  const lengthReason = checkOptionLengths(options);
  if (lengthReason) return { ok: false, reason: lengthReason };

  return {
    ok: true,
    packet: {
      op,
      htype: buf[1]!,
      hlen,
      hops: buf[3]!,
      xid: buf.readUInt32BE(4),
      secs: buf.readUInt16BE(8),
      flags: buf.readUInt16BE(10),
      ciaddr: ipToString(buf, 12),
      yiaddr: ipToString(buf, 16),
      siaddr: ipToString(buf, 20),
      giaddr: ipToString(buf, 24),
      chaddr: buf.subarray(chaddrOffset, chaddrOffset + 16),
      serverName: overload & 2 ? '' : cString(buf, snameOffset, snameBytes),
      bootFileName: overload & 1 ? '' : cString(buf, fileOffset, fileBytes),
      options,
    },
  };
}

export interface EncodeOptions {
  /** Largest datagram payload the receiver accepts (from option 57, else 576 - IP/UDP). */
  maxBytes?: number;
  /** Pad with zeros after END up to this size (RFC 1542: at least 300). */
  minBytes?: number;
}

/** One option instance on the wire: code, length, up to 255 bytes of value (RFC 3396 splits longer ones). */
function optionPieces(options: DhcpOptions): Array<{ code: number; value: Buffer }> {
  const pieces: Array<{ code: number; value: Buffer }> = [];
  for (const [code, value] of options) {
    if (code === DhcpOption.Pad || code === DhcpOption.End || code === DhcpOption.OptionOverload) continue;
    if (value.length === 0) { pieces.push({ code, value }); continue; }
    for (let i = 0; i < value.length; i += 255) pieces.push({ code, value: value.subarray(i, i + 255) });
  }
  return pieces;
}

function writeString(buf: Buffer, offset: number, length: number, text: string): void {
  if (text === '') return; // the buffer is zeroed
  // Leave room for the terminating NUL.
  buf.write(text.slice(0, length - 1), offset, length - 1, 'latin1');
}

/**
 * Packet → bytes. Options that don't fit in maxBytes go on into the file, then sname fields
 * when those are empty (RFC 2132 §9.3 overload), splitting values as RFC 3396 allows.
 * Throws only on a caller bug (options that can't fit at all), never on peer input.
 */
export function encodePacket(p: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const maxBytes = Math.max(opts.maxBytes ?? defaultMaxMessageBytes - ipUdpHeaderBytes, minimumMessageBytes);
  const minBytes = opts.minBytes ?? minimumMessageBytes;
  let optionBytes = 1; // END
  for (const [code, value] of p.options) {
    if (code === DhcpOption.Pad || code === DhcpOption.End || code === DhcpOption.OptionOverload) continue;
    optionBytes += value.length === 0 ? 2 : value.length + 2 * Math.ceil(value.length / 255);
  }

  const fitsInOptionsField = optionsOffset + optionBytes <= maxBytes;
  const size = Math.max(minBytes, fitsInOptionsField ? optionsOffset + optionBytes : maxBytes);
  // allocUnsafe takes a slice of Node's shared 8 KiB pool (no allocation of its own per reply);
  // zeroed here because padding, sname and file must go out as zeros.
  const buf = Buffer.allocUnsafe(size).fill(0);
  buf[0] = p.op;
  buf[1] = p.htype;
  buf[2] = p.hlen;
  buf[3] = p.hops;
  buf.writeUInt32BE(p.xid >>> 0, 4);
  buf.writeUInt16BE(p.secs, 8);
  buf.writeUInt16BE(p.flags, 10);
  writeIp(buf, 12, p.ciaddr);
  writeIp(buf, 16, p.yiaddr);
  writeIp(buf, 20, p.siaddr);
  writeIp(buf, 24, p.giaddr);
  p.chaddr.copy(buf, chaddrOffset, 0, 16);
  buf.writeUInt32BE(magicCookie, headerBytes);

  if (fitsInOptionsField) {
    writeString(buf, snameOffset, snameBytes, p.serverName);
    writeString(buf, fileOffset, fileBytes, p.bootFileName);
    let i = optionsOffset;
    for (const [code, value] of p.options) {
      if (code === DhcpOption.Pad || code === DhcpOption.End || code === DhcpOption.OptionOverload) continue;
      // RFC 3396: a value longer than 255 bytes goes out as consecutive instances of the code.
      let from = 0;
      do {
        const take = Math.min(255, value.length - from);
        buf[i] = code;
        buf[i + 1] = take;
        value.copy(buf, i + 2, from, from + take);
        i += 2 + take;
        from += take;
      } while (from < value.length);
    }
    buf[i] = DhcpOption.End;
    return buf;
  }

  const pieces = optionPieces(p.options);

  // Overload: areas in RFC 3396 §7 order (options, file, sname); options field reserves 3 bytes for option 52.
  const areas: Array<{ start: number; end: number; flag: number }> = [{ start: optionsOffset + 3, end: maxBytes - 1, flag: 0 }];
  if (!p.bootFileName) areas.push({ start: fileOffset, end: fileOffset + fileBytes - 1, flag: 1 });
  else writeString(buf, fileOffset, fileBytes, p.bootFileName);
  if (!p.serverName) areas.push({ start: snameOffset, end: snameOffset + snameBytes - 1, flag: 2 });
  else writeString(buf, snameOffset, snameBytes, p.serverName);
  let overload = 0;
  let areaIndex = 0;
  let cursor = areas[0]!.start;
  const queue = [...pieces];
  while (queue.length > 0) {
    const area = areas[areaIndex];
    if (!area) throw new Error('DHCP options do not fit in the message, even with overload');
    const room = area.end - cursor - 2;
    const piece = queue[0]!;
    if (room < (piece.value.length === 0 ? 0 : 1)) {
      buf[cursor] = DhcpOption.End;
      areaIndex += 1;
      cursor = areas[areaIndex]?.start ?? 0;
      continue;
    }
    const take = Math.min(room, piece.value.length);
    buf[cursor] = piece.code;
    buf[cursor + 1] = take;
    piece.value.copy(buf, cursor + 2, 0, take);
    cursor += 2 + take;
    overload |= area.flag;
    if (take === piece.value.length) queue.shift();
    else queue[0] = { code: piece.code, value: piece.value.subarray(take) };
  }
  buf[cursor] = DhcpOption.End;
  buf[optionsOffset] = DhcpOption.OptionOverload;
  buf[optionsOffset + 1] = 1;
  buf[optionsOffset + 2] = overload;
  if (overload === 0) {
    // Everything fitted in the options field after all: drop the overload marker (PAD it out).
    buf.fill(DhcpOption.Pad, optionsOffset, optionsOffset + 3);
  }
  return buf;
}

// ---- typed accessors: each returns null when the option is absent or unusable ----

export function getMessageType(p: DhcpPacket): number | null {
  return p.options.get(DhcpOption.MessageType)?.[0] ?? null;
}

export function getIpOption(p: DhcpPacket, code: DhcpOption): string | null {
  const v = p.options.get(code);
  return v && v.length >= 4 ? ipToString(v, 0) : null;
}

export function getUint32Option(p: DhcpPacket, code: DhcpOption): number | null {
  const v = p.options.get(code);
  return v && v.length === 4 ? v.readUInt32BE(0) : null;
}

export function getStringOption(p: DhcpPacket, code: DhcpOption): string | null {
  const v = p.options.get(code);
  return v ? v.toString('latin1').replace(/\0+$/, '') : null;
}

export function getParameterRequestList(p: DhcpPacket): number[] {
  return [...(p.options.get(DhcpOption.ParameterRequestList) ?? [])];
}

/** Largest DHCP message the client accepts (RFC 2132 §9.10), as a UDP payload size. */
export function getMaxMessageBytes(p: DhcpPacket): number {
  const v = p.options.get(DhcpOption.MaximumMessageSize);
  const declared = v && v.length === 2 ? v.readUInt16BE(0) : defaultMaxMessageBytes;
  // Option 57 below 576 is invalid (RFC 2132 §9.10); ethernet caps us at 1500.
  return Math.min(Math.max(declared, defaultMaxMessageBytes), 1500) - ipUdpHeaderBytes;
}

/** RFC 4578 §2.1: the client's architectures, first is preferred. */
export function getClientArchitectures(p: DhcpPacket): ClientArch[] {
  const v = p.options.get(DhcpOption.ClientArchitecture);
  if (!v) return [];
  const arches: ClientArch[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) arches.push(v.readUInt16BE(i));
  return arches;
}

/** RFC 4578 §2.2: UNDI interface type and version, e.g. { type: 1, major: 2, minor: 1 }. */
export function getClientNetworkInterface(p: DhcpPacket): { type: number; major: number; minor: number } | null {
  const v = p.options.get(DhcpOption.ClientNetworkInterface);
  return v && v.length === 3 ? { type: v[0]!, major: v[1]!, minor: v[2]! } : null;
}

/** RFC 4578 §2.3: type 0 then a 16-byte UUID, rendered in its usual text form. */
export function getClientMachineId(p: DhcpPacket): string | null {
  const v = p.options.get(DhcpOption.ClientMachineIdentifier);
  if (!v || v.length !== 17 || v[0] !== 0) return null;
  // RFC 4578 §2.5 type 0 is a 16-byte GUID, and PXE firmware (OVMF, iPXE's dhcp.c) sends it in
  // EFI GUID order: the first three fields little-endian, as SMBIOS stores them. dmidecode and
  // /sys/class/dmi/id/product_uuid print them swapped back, so swap here too: one machine, one UUID.
  const b = v.subarray(1);
  const h = Buffer.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** RFC 3004 user classes: each is length-prefixed; iPXE (and many clients) send one bare string instead. */
export function getUserClasses(p: DhcpPacket): string[] {
  const v = p.options.get(DhcpOption.UserClass);
  if (!v) return [];
  const classes: string[] = [];
  let i = 0;
  while (i < v.length) {
    const len = v[i]!;
    if (len === 0 || i + 1 + len > v.length) return [v.toString('latin1')];
    classes.push(v.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  return classes;
}

/** RFC 3046 sub-options (circuit id, remote id), or null when option 82 is absent or malformed. */
export function getRelayAgentInfo(p: DhcpPacket): Map<RelayAgentSubOption | number, Buffer> | null {
  const v = p.options.get(DhcpOption.RelayAgentInformation);
  if (!v) return null;
  const subs = new Map<number, Buffer>();
  let i = 0;
  while (i < v.length) {
    if (i + 2 > v.length) return null;
    const len = v[i + 1]!;
    if (i + 2 + len > v.length) return null;
    subs.set(v[i]!, v.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return subs;
}

/** The client's MAC in lower-case colon form, or null when chaddr isn't an Ethernet address. */
export function getClientMac(p: DhcpPacket): string | null {
  if (p.htype !== 1 || p.hlen !== 6) return null;
  const c = p.chaddr;
  return `${hexByte[c[0]!]}:${hexByte[c[1]!]}:${hexByte[c[2]!]}:${hexByte[c[3]!]}:${hexByte[c[4]!]}:${hexByte[c[5]!]}`;
}

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function macToChaddr(mac: string): Buffer {
  const b = Buffer.alloc(16);
  Buffer.from(mac.replace(/[:-]/g, ''), 'hex').copy(b);
  return b;
}

export function isBroadcastRequested(p: DhcpPacket): boolean {
  return (p.flags & broadcastFlag) !== 0;
}
