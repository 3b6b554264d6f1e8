// A deliberately misbehaving TFTP client for the RFC behaviours no Debian client exercises:
// duplicate ACKs, a stranger's packet in the middle of a transfer, malformed requests. Run
// inside the client namespace: `node --import tsx raw-tftp-client.ts <scenario> <json args>`;
// prints one JSON result line. Every wait is bounded.
import dgram from 'node:dgram';
import { createHash } from 'node:crypto';
import { encodeAck, encodeError, encodeRequest, Opcode, TftpErrorCode } from '../packet.ts';

interface Reply { opcode: number; block: number; data: Buffer; message: string; from: string }

function socket(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => s.bind(0, () => resolve(s)));
}

/** Collects what arrives on `s` for `ms` milliseconds. */
function collect(s: dgram.Socket, ms: number): Promise<{ replies: Reply[]; rinfo: dgram.RemoteInfo[] }> {
  const replies: Reply[] = [];
  const rinfo: dgram.RemoteInfo[] = [];
  const onMessage = (msg: Buffer, r: dgram.RemoteInfo) => {
    const opcode = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
    replies.push({ opcode, block: msg.length >= 4 ? msg.readUInt16BE(2) : -1, data: msg.subarray(4), message: opcode === Opcode.Error ? msg.toString('latin1', 4, msg.length - 1) : '', from: `${r.address}:${r.port}` });
    rinfo.push(r);
  };
  s.on('message', onMessage);
  return new Promise((resolve) => setTimeout(() => { s.off('message', onMessage); resolve({ replies, rinfo }); }, ms));
}

async function firstReply(s: dgram.Socket, timeoutMs: number): Promise<{ reply: Reply; rinfo: dgram.RemoteInfo } | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { s.off('message', onMessage); resolve(null); }, timeoutMs);
    const onMessage = (msg: Buffer, r: dgram.RemoteInfo) => {
      clearTimeout(timer);
      s.off('message', onMessage);
      const opcode = msg.readUInt16BE(0);
      resolve({ reply: { opcode, block: msg.readUInt16BE(2), data: msg.subarray(4), message: opcode === Opcode.Error ? msg.toString('latin1', 4, msg.length - 1) : '', from: `${r.address}:${r.port}` }, rinfo: r });
    };
    s.on('message', onMessage);
  });
}

const [scenario, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson ?? '{}') as { server: string; port: number; file?: string; hex?: string };
const out = (o: unknown) => { process.stdout.write(JSON.stringify(o) + '\n'); process.exit(0); };

if (scenario === 'raw') {
  // One datagram to the listening port; report the answer (or none).
  const s = await socket();
  s.send(Buffer.from(args.hex!, 'hex'), args.port, args.server);
  const got = await firstReply(s, 2000);
  out(got ? { opcode: got.reply.opcode, code: got.reply.block, message: got.reply.message, from: got.rinfo.address } : { opcode: null });
}

if (scenario === 'duplicate-ack') {
  // Lock-step 512-byte transfer: after DATA 2 arrives, ACK 1 three more times. A server with
  // the Sorcerer's Apprentice bug answers each with DATA 2 (and then every block twice).
  const s = await socket();
  s.send(encodeRequest('read', args.file!, 'octet'), args.port, args.server);
  const d1 = await firstReply(s, 2000);
  if (!d1 || d1.reply.opcode !== Opcode.Data) out({ error: 'no DATA 1', got: d1?.reply });
  const server = d1!.rinfo;
  s.send(encodeAck(1), server.port, server.address);
  const d2 = await firstReply(s, 2000);
  for (let i = 0; i < 3; i++) s.send(encodeAck(1), server.port, server.address);
  // Well under the server's 1 s retransmission timeout.
  const afterDuplicates = await collect(s, 400);
  s.send(encodeAck(2), server.port, server.address);
  const afterNewAck = await collect(s, 400);
  s.send(encodeError(TftpErrorCode.NotDefined, 'test done'), server.port, server.address);
  out({ data2: d2?.reply.block ?? null, packetsAfterDuplicateAcks: afterDuplicates.replies.length, blocksAfterNewAck: afterNewAck.replies.map((r) => r.block) });
}

if (scenario === 'foreign-tid') {
  // Mid-transfer, a second socket (another TID) sends ERROR to the server's transfer port.
  // RFC 1350 §4: it must get ERROR 5 back and the real transfer must finish intact.
  const s = await socket();
  const stranger = await socket();
  s.send(encodeRequest('read', args.file!, 'octet'), args.port, args.server);
  const chunks: Buffer[] = [];
  let reply = await firstReply(s, 2000);
  let strangerAnswer: Reply | null = null;
  let lastBlock = 0;
  while (reply && reply.reply.opcode === Opcode.Data) {
    const block = reply.reply.block;
    if (block === lastBlock + 1 || (lastBlock === 65535 && block === 0)) {
      chunks.push(reply.reply.data);
      lastBlock = block;
    }
    if (block === 3 && strangerAnswer === null) {
      stranger.send(encodeError(TftpErrorCode.NotDefined, 'stop this boot'), reply.rinfo.port, reply.rinfo.address);
      strangerAnswer = (await firstReply(stranger, 2000))?.reply ?? null;
    }
    s.send(encodeAck(block), reply.rinfo.port, reply.rinfo.address);
    if (reply.reply.data.length < 512) break;
    reply = await firstReply(s, 3000);
  }
  const bytes = Buffer.concat(chunks);
  out({ strangerGot: strangerAnswer ? { opcode: strangerAnswer.opcode, code: strangerAnswer.block } : null, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
}

if (scenario === 'size-probe') {
  // What OVMF (edk2 Mtftp4 GetInfo) does before each boot file: RRQ with tsize and blksize, read
  // the size from the OACK, answer it with ERROR 8 "User aborted the transfer"; then the download.
  const s = await socket();
  s.send(encodeRequest('read', args.file!, 'octet', { blksize: '1468', tsize: '0' }), args.port, args.server);
  const oack = await firstReply(s, 2000);
  if (!oack || oack.reply.opcode !== Opcode.OptionAck) out({ error: 'no OACK', got: oack?.reply });
  // The OACK's options start right after its opcode: Reply split them as "block" and data.
  const fields = Buffer.concat([Buffer.from([oack!.reply.block >> 8, oack!.reply.block & 0xff]), oack!.reply.data]).toString('latin1').split('\0');
  const tsize = fields[fields.indexOf('tsize') + 1] ?? null;
  s.send(encodeError(TftpErrorCode.OptionsRefused, 'User aborted the transfer'), oack!.rinfo.port, oack!.rinfo.address);
  // Nothing may follow the abort: no DATA, no retransmitted OACK (well past the 1 s timeout).
  const after = await collect(s, 1500);
  out({ tsize, packetsAfterAbort: after.replies.length });
}

if (scenario === 'reply-source') {
  // Which address does the transfer answer from when asked on this one?
  const s = await socket();
  s.send(encodeRequest('read', args.file!, 'octet'), args.port, args.server);
  const got = await firstReply(s, 2000);
  if (got) s.send(encodeError(TftpErrorCode.NotDefined, 'test done'), got.rinfo.port, got.rinfo.address);
  out({ from: got?.rinfo.address ?? null, opcode: got?.reply.opcode ?? null });
}

out({ error: `unknown scenario ${scenario}` });
