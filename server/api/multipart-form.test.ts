// The streaming multipart/form-data reader against bodies as curl and browsers send them, cut
// into chunks at every position (a delimiter split across chunks), and against broken ones:
// each broken body must give a 400 naming the body, never a wrong part.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DomainError } from '../errors.ts';
import { multipartBoundary, readFieldText, readFormParts } from './multipart-form.ts';

const boundary = '------------------------d74496d66958873e';

/** What `curl -F kernel=@vmlinuz -F sha256=abc` sends (curl 7.88, Debian 12), with `file` as vmlinuz. */
function curlForm(file: Buffer, sha = 'abc'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="kernel"; filename="vmlinuz"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${sha}\r\n--${boundary}--\r\n`),
  ]);
}

async function* chunked(body: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield body.subarray(at, at + n);
    at += n;
  }
}

async function collect(source: AsyncIterable<Uint8Array>, b = boundary) {
  const parts: Array<{ name: string; filename: string | null; contentType: string | null; data: Buffer }> = [];
  for await (const part of readFormParts(source, b)) {
    const chunks: Buffer[] = [];
    for await (const c of part.body) chunks.push(Buffer.from(c));
    parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, data: Buffer.concat(chunks) });
  }
  return parts;
}

async function failure(source: AsyncIterable<Uint8Array>, b = boundary): Promise<DomainError> {
  try {
    await collect(source, b);
  } catch (err) {
    assert.ok(err instanceof DomainError, `not a DomainError: ${err}`);
    return err;
  }
  assert.fail('the body was accepted');
}

test('the boundary from Content-Type: token, quoted, absent, other types', () => {
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${boundary}`), boundary);
  assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
  assert.equal(multipartBoundary('application/octet-stream'), null);
  assert.equal(multipartBoundary(null), null);
  assert.throws(() => multipartBoundary('multipart/form-data'), (e: DomainError) => e.field === 'content-type');
  assert.throws(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`), (e: DomainError) => e.field === 'content-type');
});

test("curl's form: the file part and the sha256 field, names and filename", async () => {
  const file = randomBytes(5000);
  const parts = await collect(chunked(curlForm(file), [65536]));
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.contentType]), [['kernel', 'vmlinuz', 'application/octet-stream'], ['sha256', null, null]]);
  assert.ok(parts[0]!.data.equals(file));
  assert.equal(parts[1]!.data.toString(), 'abc');
});

test('every split position: a delimiter cut across two chunks is still found, the file intact', async () => {
  // The file ends in bytes that look like the start of a delimiter.
  const file = Buffer.concat([randomBytes(200), Buffer.from(`\r\n--${boundary.slice(0, 20)}`), randomBytes(3), Buffer.from('\r\n-')]);
  const body = curlForm(file);
  for (let cut = 1; cut < body.length; cut++) {
    const parts = await collect((async function* () {
      yield body.subarray(0, cut);
      yield body.subarray(cut);
    })());
    assert.ok(parts[0]!.data.equals(file), `split at ${cut}`);
    assert.equal(parts[1]!.data.toString(), 'abc', `split at ${cut}`);
  }
});

test('one byte at a time', async () => {
  const file = randomBytes(700);
  const parts = await collect(chunked(curlForm(file), [1]));
  assert.ok(parts[0]!.data.equals(file));
});

test('preamble, transport padding after a delimiter, epilogue: ignored (RFC 2046 §5.1.1)', async () => {
  const body = Buffer.from(`this is a preamble\r\n--${boundary} \t\r\nContent-Disposition: form-data; name="force"\r\n\r\ntrue\r\n--${boundary}--\r\nepilogue text`);
  const parts = await collect(chunked(body, [7]));
  assert.deepEqual(parts.map((p) => [p.name, p.data.toString()]), [['force', 'true']]);
});

test('an empty part and a part body holding CRLFs', async () => {
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="b"\r\n\r\n\r\nx\r\n\r\n--${boundary}--`);
  const parts = await collect(chunked(body, [3, 5]));
  assert.deepEqual(parts.map((p) => [p.name, p.data.toString()]), [['a', ''], ['b', '\r\nx\r\n']]);
});

test('a quoted name with escapes, and a browser\'s %22 in a filename', async () => {
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="we\\"ird"; filename="a%22b.img"\r\n\r\nx\r\n--${boundary}--\r\n`);
  const parts = await collect(chunked(body, [1000]));
  assert.deepEqual([parts[0]!.name, parts[0]!.filename], ['we"ird', 'a%22b.img']);
});

test('a part not read by its consumer is skipped', async () => {
  const body = curlForm(randomBytes(100_000), 'def');
  const names: string[] = [];
  let sha = '';
  for await (const part of readFormParts(chunked(body, [4096]), boundary)) {
    names.push(part.name);
    if (part.name === 'sha256') sha = await readFieldText(part);
  }
  assert.deepEqual([names, sha], [['kernel', 'sha256'], 'def']);
});

const broken: Array<[string, Buffer]> = [
  ['an empty body', Buffer.alloc(0)],
  ['no boundary at all', Buffer.from('just some bytes, not a form')],
  ['cut inside the file part', curlForm(randomBytes(10_000)).subarray(0, 5000)],
  ['cut just before the close delimiter', curlForm(randomBytes(100)).subarray(0, -(boundary.length + 6))],
  ['cut inside the part headers', Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; na`)],
  ['a part without Content-Disposition', Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${boundary}--`)],
  ['a part without headers', Buffer.from(`--${boundary}\r\n\r\nx\r\n--${boundary}--`)],
  ['a part without a name', Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nx\r\n--${boundary}--`)],
  ['an attachment, not form-data', Buffer.from(`--${boundary}\r\nContent-Disposition: attachment; name="x"\r\n\r\nx\r\n--${boundary}--`)],
  ['the boundary followed by other characters', Buffer.from(`--${boundary}X\r\nContent-Disposition: form-data; name="x"\r\n\r\nx\r\n--${boundary}--`)],
  ['a header line without a colon', Buffer.from(`--${boundary}\r\nContent-Disposition form-data\r\n\r\nx\r\n--${boundary}--`)],
  ['headers larger than 16 KiB', Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\nx\r\n--${boundary}--`)],
  ['more than 16 parts', Buffer.from(Array.from({ length: 17 }, (_, i) => `--${boundary}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + `--${boundary}--`)],
];
for (const [what, body] of broken) {
  test(`refused with a reason: ${what}`, async () => {
    const err = await failure(chunked(body, [97]));
    assert.equal(err.field, 'body', err.message);
    assert.ok(['invalid', 'payload_too_large'].includes(err.code), err.code);
  });
}

test('a field longer than its limit names the field', async () => {
  const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${'a'.repeat(2000)}\r\n--${boundary}--`);
  for await (const part of readFormParts(chunked(body, [512]), boundary)) {
    await assert.rejects(readFieldText(part), (e: DomainError) => e.field === 'sha256');
    break;
  }
});

test('the source failing (a cut connection) is the error the reader sees', async () => {
  const cut = new Error('aborted');
  const source = (async function* () {
    yield curlForm(randomBytes(1000)).subarray(0, 300);
    throw cut;
  })();
  await assert.rejects(collect(source), (e) => e === cut);
});
