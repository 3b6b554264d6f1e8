// TFTP packets: bytes ⇄ values, nothing else (no sockets, no files, no policy).
// RFC 1350 (the protocol), RFC 2347 (option extension, OACK), RFC 2348 (blksize),
// RFC 2349 (timeout, tsize), RFC 7440 (windowsize). Malformed input gives a reason, never a throw.

/** RFC 1350 §5 opcodes; RFC 2347 adds OACK. */
export const Opcode = {
  ReadRequest: 1,
  WriteRequest: 2,
  Data: 3,
  Ack: 4,
  Error: 5,
  /** RFC 2347 option acknowledgment */
  OptionAck: 6,
} as const;

/** RFC 1350 §5 error codes; RFC 2347 adds 8. */
export const TftpErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTransferId: 5,
  FileExists: 6,
  NoSuchUser: 7,
  /** RFC 2347: the request's options were refused. */
  OptionsRefused: 8,
} as const;
export type TftpErrorCode = (typeof TftpErrorCode)[keyof typeof TftpErrorCode];

/** RFC 1350 §1: a request fits in one 512-byte-payload datagram (RFC 2347 §2 keeps that limit). */
export const maxRequestBytes = 512;

export type TransferMode = 'octet' | 'netascii';

export interface TftpRequest {
  kind: 'read' | 'write';
  /** The name exactly as sent (not yet mapped or checked: see file-name.ts). */
  fileName: string;
  mode: TransferMode;
  /** Option names lower-cased (RFC 2347 §2: case-insensitive), values as sent. */
  options: Map<string, string>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function readZeroTerminated(buf: Buffer, start: number): { text: string; next: number } | null {
  const end = buf.indexOf(0, start);
  if (end < 0) return null;
  // Names and options are NVT ASCII (RFC 1350 §2); latin1 keeps every byte visible for checks.
  return { text: buf.toString('latin1', start, end), next: end + 1 };
}

/** Parses a packet arriving on the listening port: RRQ or WRQ (RFC 1350 §5, RFC 2347 §2). */
export function parseRequest(buf: Buffer): Parsed<TftpRequest> {
  if (buf.length < 4) return { ok: false, reason: 'truncated' };
  if (buf.length > maxRequestBytes) return { ok: false, reason: 'request-too-long' };
  const opcode = buf.readUInt16BE(0);
  if (opcode !== Opcode.ReadRequest && opcode !== Opcode.WriteRequest) return { ok: false, reason: 'not-a-request' };
  const name = readZeroTerminated(buf, 2);
  if (!name) return { ok: false, reason: 'unterminated-file-name' };
  const mode = readZeroTerminated(buf, name.next);
  if (!mode) return { ok: false, reason: 'unterminated-mode' };
  const modeName = mode.text.toLowerCase();
  // RFC 1350 §1 calls "mail" obsolete: it delivered to a user, which a boot server never does.
  if (modeName !== 'octet' && modeName !== 'netascii') return { ok: false, reason: modeName === 'mail' ? 'mode-mail' : 'unknown-mode' };
  const options = new Map<string, string>();
  let at = mode.next;
  while (at < buf.length) {
    const key = readZeroTerminated(buf, at);
    if (!key) return { ok: false, reason: 'unterminated-option' };
    const value = readZeroTerminated(buf, key.next);
    if (!value) return { ok: false, reason: 'unterminated-option-value' };
    options.set(key.text.toLowerCase(), value.text);
    at = value.next;
  }
  return { ok: true, value: { kind: opcode === Opcode.ReadRequest ? 'read' : 'write', fileName: name.text, mode: modeName, options } };
}

export type TransferPacket =
  | { kind: 'ack'; block: number }
  | { kind: 'error'; code: number; message: string }
  | { kind: 'other'; opcode: number };

/** Parses a packet arriving on a transfer's port (the client's ACKs, or an ERROR). */
export function parseTransferPacket(buf: Buffer): Parsed<TransferPacket> {
  if (buf.length < 4) return { ok: false, reason: 'truncated' };
  const opcode = buf.readUInt16BE(0);
  if (opcode === Opcode.Ack) {
    // RFC 1350 §5: an ACK is exactly opcode + block number.
    if (buf.length !== 4) return { ok: false, reason: 'bad-ack-length' };
    return { ok: true, value: { kind: 'ack', block: buf.readUInt16BE(2) } };
  }
  if (opcode === Opcode.Error) {
    const end = buf.indexOf(0, 4);
    const message = buf.toString('latin1', 4, end < 0 ? buf.length : end);
    return { ok: true, value: { kind: 'error', code: buf.readUInt16BE(2), message } };
  }
  return { ok: true, value: { kind: 'other', opcode } };
}

/** The 4-byte DATA header; the payload is sent beside it (scatter/gather), never copied. */
export function encodeDataHeader(block: number): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt16BE(Opcode.Data, 0);
  header.writeUInt16BE(block, 2);
  return header;
}

export function encodeError(code: TftpErrorCode, message: string): Buffer {
  const text = Buffer.from(message, 'latin1');
  const buf = Buffer.alloc(4 + text.length + 1);
  buf.writeUInt16BE(Opcode.Error, 0);
  buf.writeUInt16BE(code, 2);
  text.copy(buf, 4);
  return buf;
}

/** RFC 2347 §2: OACK lists the accepted options as name/value NUL-terminated pairs. */
export function encodeOptionAck(options: ReadonlyMap<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, Opcode.OptionAck])];
  for (const [name, value] of options) parts.push(Buffer.from(`${name}\0${value}\0`, 'latin1'));
  return Buffer.concat(parts);
}

export function encodeAck(block: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt16BE(Opcode.Ack, 0);
  buf.writeUInt16BE(block, 2);
  return buf;
}

export function encodeRequest(kind: 'read' | 'write', fileName: string, mode: string, options: Record<string, string> = {}): Buffer {
  const parts = [Buffer.from([0, kind === 'read' ? Opcode.ReadRequest : Opcode.WriteRequest]), Buffer.from(`${fileName}\0${mode}\0`, 'latin1')];
  for (const [k, v] of Object.entries(options)) parts.push(Buffer.from(`${k}\0${v}\0`, 'latin1'));
  return Buffer.concat(parts);
}
