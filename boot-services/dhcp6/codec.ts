// DHCPv6 wire format (RFC 8415 §8, §9, §21): bytes ⇄ messages, relay messages with their
// relayed message decoded inside, IA_NA and IAADDR, DUIDs. Pure: it knows bytes and options
// and nothing of booting. decodeDhcp6 never throws: malformed input is { ok: false, reason }.
import { formatIPv6, ipv6FromBuffer, ipv6ToBuffer, parseIPv6 } from '../../lib/ipv6.ts';
import { Dhcp6MessageType, Dhcp6Option, DuidType, hardwareTypeEthernet, hopCountLimit, maxDuidBytes } from './options.ts';

/** One option as on the wire, in wire order (a message may carry several IA_NA). */
export interface Dhcp6OptionValue {
  code: number;
  value: Buffer;
}

/** RFC 8415 §8: a client/server message. */
export interface Dhcp6ClientMessage {
  kind: 'client';
  msgType: Dhcp6MessageType;
  /** 24 bits. */
  transactionId: number;
  options: Dhcp6OptionValue[];
}

/** RFC 8415 §9: Relay-forw / Relay-repl; `inner` is the decoded Relay Message option. */
export interface Dhcp6RelayMessage {
  kind: 'relay';
  msgType: Dhcp6MessageType.RelayForw | Dhcp6MessageType.RelayRepl;
  hopCount: number;
  /** RFC 8415 §9.1: an address on the client's link ("::" when the relay has none: then interface-id tells the link). */
  linkAddress: string;
  /** Where the relayed message came from: the client, or the relay before this one. */
  peerAddress: string;
  /** Every option but the Relay Message (interface-id, remote-id, client link-layer address …). */
  options: Dhcp6OptionValue[];
  inner: Dhcp6Message;
}

export type Dhcp6Message = Dhcp6ClientMessage | Dhcp6RelayMessage;

export type Dhcp6DecodeResult = { ok: true; message: Dhcp6Message } | { ok: false; reason: string };

const clientHeaderBytes = 4;
const relayHeaderBytes = 34;
const optionHeaderBytes = 4;

/** Lengths the server relies on: a message breaking one is malformed, not guessed at. */
const optionLengthRules: Partial<Record<number, { exact?: number; min?: number; max?: number; multipleOf?: number }>> = {
  [Dhcp6Option.ClientId]: { min: 3, max: maxDuidBytes },
  [Dhcp6Option.ServerId]: { min: 3, max: maxDuidBytes },
  [Dhcp6Option.IaNa]: { min: 12 },
  [Dhcp6Option.IaTa]: { min: 4 },
  [Dhcp6Option.IaAddr]: { min: 24 },
  [Dhcp6Option.OptionRequest]: { multipleOf: 2 },
  [Dhcp6Option.Preference]: { exact: 1 },
  [Dhcp6Option.ElapsedTime]: { exact: 2 },
  [Dhcp6Option.ServerUnicast]: { exact: 16 },
  [Dhcp6Option.StatusCode]: { min: 2 },
  [Dhcp6Option.RapidCommit]: { exact: 0 },
  [Dhcp6Option.VendorClass]: { min: 4 },
  [Dhcp6Option.ClientArchType]: { min: 2, multipleOf: 2 },
  [Dhcp6Option.NetworkInterfaceId]: { exact: 3 },
  [Dhcp6Option.ClientLinkLayerAddress]: { min: 3 },
  [Dhcp6Option.DnsServers]: { multipleOf: 16 },
};

function optionName(code: number): string {
  return Dhcp6Option[code] ?? String(code);
}

/** Parses an options area (RFC 8415 §21.1: code, length, value, back to back). */
export function decodeOptions(buf: Buffer, start = 0, end = buf.length): { ok: true; options: Dhcp6OptionValue[] } | { ok: false; reason: string } {
  const options: Dhcp6OptionValue[] = [];
  let i = start;
  while (i < end) {
    if (i + optionHeaderBytes > end) return { ok: false, reason: 'truncated-option-header' };
    const code = buf.readUInt16BE(i);
    const length = buf.readUInt16BE(i + 2);
    if (i + optionHeaderBytes + length > end) return { ok: false, reason: `truncated-option-${optionName(code)}` };
    // A view, not a copy: every datagram arrives in its own Buffer, which nothing reuses.
    options.push({ code, value: buf.subarray(i + optionHeaderBytes, i + optionHeaderBytes + length) });
    i += optionHeaderBytes + length;
  }
  return { ok: true, options };
}

function checkOptionLengths(options: Dhcp6OptionValue[]): string | null {
  for (const { code, value } of options) {
    const rule = optionLengthRules[code];
    if (!rule) continue;
    const bad = (rule.exact !== undefined && value.length !== rule.exact)
      || (rule.min !== undefined && value.length < rule.min)
      || (rule.max !== undefined && value.length > rule.max)
      || (rule.multipleOf !== undefined && value.length % rule.multipleOf !== 0);
    if (bad) return `bad-length-${optionName(code)}`;
  }
  return null;
}

function decodeAt(buf: Buffer, depth: number): Dhcp6DecodeResult {
  if (buf.length < 1) return { ok: false, reason: 'empty' };
  const msgType = buf[0]!;
  if (msgType === 0 || msgType > Dhcp6MessageType.RelayRepl) return { ok: false, reason: 'bad-message-type' };
  if (msgType === Dhcp6MessageType.RelayForw || msgType === Dhcp6MessageType.RelayRepl) {
    if (buf.length < relayHeaderBytes) return { ok: false, reason: 'truncated-relay-header' };
    // RFC 8415 §19.1.1: at most HOP_COUNT_LIMIT relays; nesting deeper than that is hostile.
    if (depth > hopCountLimit) return { ok: false, reason: 'relay-nesting-too-deep' };
    const parsed = decodeOptions(buf, relayHeaderBytes);
    if (!parsed.ok) return parsed;
    const lengthReason = checkOptionLengths(parsed.options);
    if (lengthReason) return { ok: false, reason: lengthReason };
    const relayed = parsed.options.filter((o) => o.code === Dhcp6Option.RelayMessage);
    if (relayed.length !== 1) return { ok: false, reason: relayed.length === 0 ? 'relay-without-message' : 'relay-with-two-messages' };
    const inner = decodeAt(relayed[0]!.value, depth + 1);
    // One prefix however deep: reasons label a counter and must stay a small set.
    if (!inner.ok) return { ok: false, reason: inner.reason.startsWith('relayed-') ? inner.reason : `relayed-${inner.reason}` };
    return {
      ok: true,
      message: {
        kind: 'relay', msgType, hopCount: buf[1]!,
        linkAddress: formatIPv6(ipv6FromBuffer(buf, 2)), peerAddress: formatIPv6(ipv6FromBuffer(buf, 18)),
        options: parsed.options.filter((o) => o.code !== Dhcp6Option.RelayMessage),
        inner: inner.message,
      },
    };
  }
  if (buf.length < clientHeaderBytes) return { ok: false, reason: 'truncated-header' };
  const parsed = decodeOptions(buf, clientHeaderBytes);
  if (!parsed.ok) return parsed;
  const lengthReason = checkOptionLengths(parsed.options);
  if (lengthReason) return { ok: false, reason: lengthReason };
  return { ok: true, message: { kind: 'client', msgType, transactionId: buf.readUIntBE(1, 3), options: parsed.options } };
}

/** Bytes → message. Never throws: malformed input gives a reason (counted by the server). */
export function decodeDhcp6(buf: Buffer): Dhcp6DecodeResult {
  return decodeAt(buf, 0);
}

function encodeOptions(options: Dhcp6OptionValue[]): Buffer[] {
  const parts: Buffer[] = [];
  for (const { code, value } of options) {
    if (value.length > 0xffff) throw new Error(`DHCPv6 option ${code} is longer than 65535 bytes`);
    const head = Buffer.alloc(optionHeaderBytes);
    head.writeUInt16BE(code, 0);
    head.writeUInt16BE(value.length, 2);
    parts.push(head, value);
  }
  return parts;
}

/** One option's bytes (code, length, value), for options nested inside others (IA_NA, IAADDR). */
export function encodeOption(code: number, value: Buffer): Buffer {
  return Buffer.concat(encodeOptions([{ code, value }]));
}

/** Message → bytes. Throws only on a caller bug (an option longer than 64 KiB), never on peer input. */
export function encodeDhcp6(m: Dhcp6Message): Buffer {
  if (m.kind === 'relay') {
    const head = Buffer.alloc(relayHeaderBytes);
    head[0] = m.msgType;
    head[1] = m.hopCount;
    ipv6ToBuffer(parseIPv6(m.linkAddress) ?? 0n).copy(head, 2);
    ipv6ToBuffer(parseIPv6(m.peerAddress) ?? 0n).copy(head, 18);
    return Buffer.concat([head, ...encodeOptions([...m.options, { code: Dhcp6Option.RelayMessage, value: encodeDhcp6(m.inner) }])]);
  }
  const head = Buffer.alloc(clientHeaderBytes);
  head[0] = m.msgType;
  head.writeUIntBE(m.transactionId & 0xffffff, 1, 3);
  return Buffer.concat([head, ...encodeOptions(m.options)]);
}

// ---- typed accessors: absent or unusable → null / empty ----

export function getOption(options: Dhcp6OptionValue[], code: Dhcp6Option): Buffer | null {
  return options.find((o) => o.code === code)?.value ?? null;
}

export function getOptions(options: Dhcp6OptionValue[], code: Dhcp6Option): Buffer[] {
  return options.filter((o) => o.code === code).map((o) => o.value);
}

/** RFC 8415 §21.7: the codes the client asked for. */
export function getRequestedOptions(options: Dhcp6OptionValue[]): number[] {
  const v = getOption(options, Dhcp6Option.OptionRequest);
  const codes: number[] = [];
  if (v) for (let i = 0; i + 1 < v.length; i += 2) codes.push(v.readUInt16BE(i));
  return codes;
}

/** RFC 5970 §3.3: the client's architectures, preferred first (RFC 4578 numbering: 7 x64 UEFI, 16 x64 UEFI HTTP). */
export function getClientArchTypes(options: Dhcp6OptionValue[]): number[] {
  const v = getOption(options, Dhcp6Option.ClientArchType);
  const arches: number[] = [];
  if (v) for (let i = 0; i + 1 < v.length; i += 2) arches.push(v.readUInt16BE(i));
  return arches;
}

export interface VendorClass {
  enterprise: number;
  classes: string[];
}

/** RFC 8415 §21.16: enterprise number and its class strings; null when absent or malformed. */
export function getVendorClass(options: Dhcp6OptionValue[]): VendorClass | null {
  const v = getOption(options, Dhcp6Option.VendorClass);
  if (!v || v.length < 4) return null;
  const classes: string[] = [];
  let i = 4;
  while (i < v.length) {
    if (i + 2 > v.length) return null;
    const len = v.readUInt16BE(i);
    if (i + 2 + len > v.length) return null;
    classes.push(v.subarray(i + 2, i + 2 + len).toString('latin1'));
    i += 2 + len;
  }
  return { enterprise: v.readUInt32BE(0), classes };
}

export function encodeVendorClass(vc: VendorClass): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(vc.enterprise >>> 0);
  return Buffer.concat([head, ...vc.classes.flatMap((c) => {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(Buffer.byteLength(c, 'latin1'));
    return [len, Buffer.from(c, 'latin1')];
  })]);
}

/** RFC 8415 §21.15: user classes, each length-prefixed (iPXE sends "iPXE"). */
export function getUserClasses(options: Dhcp6OptionValue[]): string[] {
  const v = getOption(options, Dhcp6Option.UserClass);
  const classes: string[] = [];
  if (!v) return classes;
  let i = 0;
  while (i + 2 <= v.length) {
    const len = v.readUInt16BE(i);
    if (i + 2 + len > v.length) break;
    classes.push(v.subarray(i + 2, i + 2 + len).toString('latin1'));
    i += 2 + len;
  }
  return classes;
}

export interface IaAddress {
  address: string;
  preferredSeconds: number;
  validSeconds: number;
  options: Dhcp6OptionValue[];
}

export interface IaNa {
  iaid: number;
  t1Seconds: number;
  t2Seconds: number;
  addresses: IaAddress[];
  /** Options inside the IA other than IAADDR (a status code in replies). */
  options: Dhcp6OptionValue[];
}

/** RFC 8415 §21.4 / §21.6: an IA_NA option's value with its IAADDRs; null when malformed. */
export function decodeIaNa(value: Buffer): IaNa | null {
  if (value.length < 12) return null;
  const inner = decodeOptions(value, 12);
  if (!inner.ok) return null;
  const addresses: IaAddress[] = [];
  const options: Dhcp6OptionValue[] = [];
  for (const o of inner.options) {
    if (o.code !== Dhcp6Option.IaAddr) { options.push(o); continue; }
    if (o.value.length < 24) return null;
    const sub = decodeOptions(o.value, 24);
    if (!sub.ok) return null;
    addresses.push({
      address: formatIPv6(ipv6FromBuffer(o.value, 0)), preferredSeconds: o.value.readUInt32BE(16), validSeconds: o.value.readUInt32BE(20), options: sub.options,
    });
  }
  return { iaid: value.readUInt32BE(0), t1Seconds: value.readUInt32BE(4), t2Seconds: value.readUInt32BE(8), addresses, options };
}

export function encodeIaNa(ia: IaNa): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32BE(ia.iaid >>> 0, 0);
  head.writeUInt32BE(ia.t1Seconds >>> 0, 4);
  head.writeUInt32BE(ia.t2Seconds >>> 0, 8);
  const addrs = ia.addresses.map((a) => {
    const fixed = Buffer.alloc(24);
    ipv6ToBuffer(parseIPv6(a.address) ?? 0n).copy(fixed, 0);
    fixed.writeUInt32BE(a.preferredSeconds >>> 0, 16);
    fixed.writeUInt32BE(a.validSeconds >>> 0, 20);
    return encodeOption(Dhcp6Option.IaAddr, Buffer.concat([fixed, ...encodeOptions(a.options)]));
  });
  return Buffer.concat([head, ...addrs, ...encodeOptions(ia.options)]);
}

/** RFC 8415 §21.13: status code and its UTF-8 message. */
export function encodeStatus(code: number, message: string): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, Buffer.from(message, 'utf8')]);
}

export function decodeStatus(value: Buffer | null): { code: number; message: string } | null {
  if (!value || value.length < 2) return null;
  return { code: value.readUInt16BE(0), message: value.subarray(2).toString('utf8') };
}

export interface Duid {
  type: number;
  /** The Ethernet MAC inside a DUID-LLT or DUID-LL, lower-case colon form; null for other DUIDs. */
  mac: string | null;
  /** The whole DUID as hex: what identifies the client (RFC 8415 §11). */
  hex: string;
}

/** RFC 8415 §11.2-§11.4, RFC 6355: the DUID's type and, when it carries one, its Ethernet MAC. */
export function parseDuid(value: Buffer): Duid | null {
  if (value.length < 3 || value.length > maxDuidBytes) return null;
  const type = value.readUInt16BE(0);
  let mac: string | null = null;
  if (type === DuidType.LinkLayerPlusTime && value.length === 14 && value.readUInt16BE(2) === hardwareTypeEthernet) mac = formatMac(value.subarray(8, 14));
  if (type === DuidType.LinkLayer && value.length === 10 && value.readUInt16BE(2) === hardwareTypeEthernet) mac = formatMac(value.subarray(4, 10));
  return { type, mac, hex: value.toString('hex') };
}

/** RFC 6939 §4: hardware type, then the address; the MAC when it is Ethernet. */
export function parseClientLinkLayerAddress(value: Buffer | null): string | null {
  if (!value || value.length !== 8 || value.readUInt16BE(0) !== hardwareTypeEthernet) return null;
  return formatMac(value.subarray(2, 8));
}

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function formatMac(bytes: Buffer): string {
  return Array.from(bytes, (b) => hexByte[b]).join(':');
}

/** RFC 8415 §11.4: a DUID-LL for an Ethernet MAC. */
export function duidLinkLayer(mac: string): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt16BE(DuidType.LinkLayer, 0);
  b.writeUInt16BE(hardwareTypeEthernet, 2);
  Buffer.from(mac.replace(/[:-]/g, ''), 'hex').copy(b, 4);
  return b;
}
