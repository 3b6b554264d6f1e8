// multipart/form-data (RFC 7578) read as a stream, for uploads of multi-GB files: parts come
// one at a time, and a part's content is pulled from the request body only as its reader asks
// for it, so memory stays at one chunk plus a delimiter's length whatever the file's size.
// Framing is RFC 2046 §5.1.1: a delimiter is CRLF "--" boundary (the first may open the body
// without the CRLF), then optional transport padding (spaces, tabs) and CRLF; the close
// delimiter is the same followed by "--"; what precedes the first (preamble) and follows the
// last (epilogue) is ignored. A delimiter may arrive split across any number of chunks.
import { DomainError, invalid } from '../errors.ts';
import { splitParams } from './media-type.ts';

export interface FormPart {
  /** Content-Disposition's name (RFC 7578 §4.2: every part has one). */
  name: string;
  /** Content-Disposition's filename, when the part is a file (curl -F name=@file). */
  filename: string | null;
  contentType: string | null;
  /**
   * The part's bytes. Read it to the end before asking for the next part, or not at all (the
   * rest is skipped); reading a part after the next one was asked for is an error.
   */
  body: AsyncIterable<Buffer>;
}

export interface MultipartLimits {
  /** one part's header block (Content-Disposition, Content-Type) */
  maxHeaderBytes: number;
  maxParts: number;
  maxPreambleBytes: number;
  /** read after the close delimiter before we stop listening */
  maxEpilogueBytes: number;
}

export const defaultMultipartLimits: MultipartLimits = { maxHeaderBytes: 16 * 1024, maxParts: 16, maxPreambleBytes: 64 * 1024, maxEpilogueBytes: 64 * 1024 };

const crlf = Buffer.from('\r\n');
const crlfCrlf = Buffer.from('\r\n\r\n');
const dashDash = Buffer.from('--');

const malformed = (why: string) => invalid('body', `malformed multipart/form-data body: ${why}`);
const truncated = () => invalid('body', 'the multipart body ended before its closing boundary (a cut upload?)');

/**
 * The boundary of a multipart/form-data Content-Type, or null when the type is another one.
 * RFC 2046 §5.1.1: 1 to 70 characters from a restricted set, not ending with a space.
 */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType) return null;
  const [type, ...params] = splitParams(contentType);
  if (type?.toLowerCase() !== 'multipart/form-data') return null;
  const boundary = params.find(([k]) => k === 'boundary')?.[1];
  if (!boundary) throw invalid('content-type', 'multipart/form-data without a boundary parameter');
  if (!/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) {
    throw invalid('content-type', 'the multipart boundary must be 1 to 70 characters of RFC 2046 §5.1.1');
  }
  return boundary;
}

function parsePartHeaders(block: Buffer): Omit<FormPart, 'body'> {
  const headers = new Map<string, string>();
  for (const line of block.toString('utf8').split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw malformed(`a part header line without a name: ${JSON.stringify(line.slice(0, 80))}`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (!disposition) throw malformed('a part without Content-Disposition (RFC 7578 §4.2)');
  const [type, ...params] = splitParams(disposition);
  if (type?.toLowerCase() !== 'form-data') throw malformed(`a part's Content-Disposition is ${type}, not form-data`);
  const name = params.find(([k]) => k === 'name')?.[1];
  if (!name) throw malformed('a part without a name (Content-Disposition: form-data; name="…")');
  return { name, filename: params.find(([k]) => k === 'filename')?.[1] ?? null, contentType: headers.get('content-type') ?? null };
}

/** The request body as a buffer we can look ahead in, filled one chunk at a time. */
class BodyReader {
  private ended = false;

  constructor(
    private readonly chunks: AsyncIterator<Uint8Array>,
    private buf: Buffer = Buffer.alloc(0),
  ) {}

  get buffered(): Buffer {
    return this.buf;
  }

  /** Reads one more chunk; false at the end of the body. */
  async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Makes at least n bytes available; false when the body ends first. */
  async want(n: number): Promise<boolean> {
    while (this.buf.length < n) if (!(await this.fill())) return false;
    return true;
  }

  /** Everything before `pattern` (which is consumed too), at most maxBytes of it. */
  async readUntil(pattern: Buffer, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
    for (;;) {
      const at = this.buf.indexOf(pattern);
      if (at >= 0) {
        if (at > maxBytes) throw tooLarge();
        const out = Buffer.from(this.take(at));
        this.take(pattern.length);
        return out;
      }
      if (this.buf.length > maxBytes + pattern.length) throw tooLarge();
      if (!(await this.fill())) throw truncated();
    }
  }

  /** Discards up to and including `pattern`, at most maxBytes before it. */
  async skipPast(pattern: Buffer, maxBytes: number, tooLarge: () => Error): Promise<void> {
    let skipped = 0;
    for (;;) {
      const at = this.buf.indexOf(pattern);
      if (at >= 0) {
        if (skipped + at > maxBytes) throw tooLarge();
        this.take(at + pattern.length);
        return;
      }
      // Keep what could be the start of a pattern split across chunks.
      const drop = Math.max(0, this.buf.length - (pattern.length - 1));
      skipped += drop;
      this.take(drop);
      if (skipped > maxBytes) throw tooLarge();
      if (!(await this.fill())) throw truncated();
    }
  }

  async drain(maxBytes: number): Promise<void> {
    let read = this.buf.length;
    this.take(this.buf.length);
    while (read <= maxBytes && (await this.fill())) {
      read += this.buf.length;
      this.take(this.buf.length);
    }
  }
}

/**
 * The parts of a multipart/form-data body, in order. Malformed framing, a body that ends
 * before the close delimiter, and limits passed all throw `invalid('body', …)` (400).
 */
export async function* readFormParts(source: AsyncIterable<Uint8Array>, boundary: string, limits: MultipartLimits = defaultMultipartLimits): AsyncGenerator<FormPart> {
  // The first delimiter may open the body: read it as if a CRLF came before.
  const reader = new BodyReader(source[Symbol.asyncIterator](), crlf);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  await reader.skipPast(delimiter, limits.maxPreambleBytes, () => malformed(`no boundary "${boundary}" within the first ${limits.maxPreambleBytes} bytes`));

  for (let count = 0; ; count++) {
    // After a delimiter: "--" closes the body; else transport padding, then CRLF.
    if (!(await reader.want(2))) throw truncated();
    if (reader.buffered.subarray(0, 2).equals(dashDash)) {
      await reader.drain(limits.maxEpilogueBytes);
      return;
    }
    for (;;) {
      if (!(await reader.want(1))) throw truncated();
      const c = reader.buffered[0];
      if (c !== 0x20 && c !== 0x09) break;
      reader.take(1);
    }
    if (!(await reader.want(2))) throw truncated();
    if (!reader.buffered.subarray(0, 2).equals(crlf)) throw malformed('a boundary line followed by other characters (the boundary occurs inside a part?)');
    if (count >= limits.maxParts) throw malformed(`more than ${limits.maxParts} parts`);
    // The header block runs from the delimiter line's CRLF to the blank line: no headers at all
    // is CRLF CRLF right away (then the missing Content-Disposition is reported).
    const block = await reader.readUntil(crlfCrlf, limits.maxHeaderBytes, () => new DomainError('payload_too_large', `a part's headers are larger than ${limits.maxHeaderBytes} bytes`, 'body'));
    const part = parsePartHeaders(block);

    // an object, not a let: the generator below changes it while this one is suspended at yield
    const read: { state: 'unread' | 'reading' | 'done' } = { state: 'unread' };
    async function* partBody(): AsyncGenerator<Buffer> {
      if (read.state !== 'unread') throw new Error(`the body of part ${part.name} was read twice`);
      read.state = 'reading';
      for (;;) {
        const buf = reader.buffered;
        const at = buf.indexOf(delimiter);
        if (at >= 0) {
          const last = reader.take(at);
          reader.take(delimiter.length);
          read.state = 'done';
          if (last.length > 0) yield last;
          return;
        }
        // Everything but the last (delimiter length - 1) bytes is content for sure.
        const safe = buf.length - (delimiter.length - 1);
        if (safe > 0) yield reader.take(safe);
        if (!(await reader.fill())) throw truncated();
      }
    }
    yield { ...part, body: partBody() };
    if (read.state === 'reading') throw new Error(`part ${part.name} was left half read`);
    if (read.state === 'unread') {
      read.state = 'done';
      await reader.skipPast(delimiter, Number.MAX_SAFE_INTEGER, () => truncated());
    }
  }
}

/** A small text field (sha256, force) read whole: at most maxBytes, UTF-8. */
export async function readFieldText(part: FormPart, maxBytes = 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.body) {
    size += chunk.length;
    if (size > maxBytes) throw invalid(part.name, `the ${part.name} field is longer than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}
