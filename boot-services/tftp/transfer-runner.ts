// Runs admitted read transfers: binds the transfer's socket (new TID on the address the
// request came to), gets its bytes, drives a ReadTransfer. The local runner does it on this
// thread; worker-transfer-runner.ts spreads transfers over worker threads, because in a boot
// storm the cost is the kernel's per-datagram send path and one thread only has one core.
import dgram from 'node:dgram';
import net from 'node:net';
import { FileCache } from '../boot-config/file-cache.ts';
import { ReadTransfer, systemClock, type Clock, type Endpoint, type TransferResult, type TransferSocket } from './read-transfer.ts';
import { DiskContent, MemoryContent, type TransferContent } from './transfer-content.ts';

/** What to send: bytes already made (generated configs, netascii), or a file on disk. */
export type ContentSpec =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'file'; path: string; sizeBytes: number; dev: number; ino: number; mtimeMs: number };

/** Everything a transfer needs, plain data (it crosses to worker threads). */
export interface TransferSpec {
  client: Endpoint;
  localAddress: string;
  blockBytes: number;
  windowBlocks: number;
  timeoutMs: number;
  /** Encoded OACK, or null when the client asked no option we accepted. */
  optionAck: Uint8Array | null;
  /** The OACK carries tsize (read-transfer.ts: a size probe's end is no error). */
  sizeOffered: boolean;
  content: ContentSpec;
  maxRetries: number;
}

export interface TransferHooks {
  onProgress(bytesAcknowledged: number): void;
  onForeignPacket(from: Endpoint): void;
  onFinish(result: TransferResult): void;
}

export interface RunningTransfer {
  abort(message: string): void;
}

export interface TransferRunner {
  start(spec: TransferSpec, hooks: TransferHooks): RunningTransfer;
  close(): Promise<void>;
}

function bindSocket(localAddress: string, port: number): Promise<dgram.Socket> {
  // SO_REUSEADDR on both: the stranger socket below shares the transfer's port.
  const socket = dgram.createSocket({ type: net.isIPv6(localAddress) ? 'udp6' : 'udp4', reuseAddr: true, ipv6Only: net.isIPv6(localAddress) });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, localAddress, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/**
 * The transfer's new TID (RFC 1350 §4): a socket on the address the request came to, on a
 * port the kernel picks, *connected* to the client (the kernel then filters by peer and caches
 * the route: cheaper sends), plus an unconnected "stranger" socket on the same port. Linux
 * delivers a datagram to the connected socket when it comes from the client and to the
 * stranger socket otherwise, which answers ERROR 5 without disturbing the transfer.
 */
export async function bindTransferSocket(localAddress: string, client: Endpoint): Promise<TransferSocket> {
  const connected = await bindSocket(localAddress, 0);
  let stranger: dgram.Socket;
  try {
    await new Promise<void>((resolve, reject) => {
      connected.once('error', reject);
      connected.connect(client.port, client.address, () => {
        connected.off('error', reject);
        resolve();
      });
    });
    stranger = await bindSocket(localAddress, connected.address().port);
  } catch (err) {
    connected.close();
    throw err;
  }
  let closed = false;
  return {
    send(parts, to) {
      if (closed) return;
      if (to.port === client.port && to.address === client.address) connected.send(parts);
      else stranger.send(parts, to.port, to.address);
    },
    onPacket(handler) {
      connected.on('message', (msg) => handler(msg, client));
      stranger.on('message', (msg, rinfo) => handler(msg, { address: rinfo.address, port: rinfo.port }));
    },
    close() {
      if (closed) return;
      closed = true;
      // After the sends already queued in this tick (an ERROR just before closing).
      setImmediate(() => {
        connected.close();
        stranger.close();
      });
    },
  };
}

async function openContent(spec: ContentSpec, cache: FileCache): Promise<TransferContent> {
  if (spec.kind === 'bytes') return new MemoryContent(Buffer.from(spec.bytes.buffer, spec.bytes.byteOffset, spec.bytes.byteLength));
  if (cache.fits(spec.sizeBytes)) return new MemoryContent(await cache.read(spec.path, { dev: spec.dev, ino: spec.ino, size: spec.sizeBytes, mtimeMs: spec.mtimeMs }));
  return DiskContent.open(spec.path, spec.sizeBytes);
}

export class LocalTransferRunner implements TransferRunner {
  private readonly running = new Set<RunningTransfer>();

  constructor(private readonly cache: FileCache, private readonly clock: Clock = systemClock) {}

  start(spec: TransferSpec, hooks: TransferHooks): RunningTransfer {
    let transfer: ReadTransfer | null = null;
    let abortedWith: string | null = null;
    const handle: RunningTransfer = {
      abort: (message) => {
        abortedWith = message;
        transfer?.abort(message);
      },
    };
    this.running.add(handle);
    const finish = (result: TransferResult) => {
      this.running.delete(handle);
      hooks.onFinish(result);
    };
    const begin = async () => {
      const content = await openContent(spec.content, this.cache);
      let socket: TransferSocket;
      try {
        socket = await bindTransferSocket(spec.localAddress, spec.client);
      } catch (err) {
        content.close();
        throw err;
      }
      transfer = new ReadTransfer({
        socket,
        client: spec.client,
        content,
        negotiated: { blockBytes: spec.blockBytes, windowBlocks: spec.windowBlocks, timeoutMs: spec.timeoutMs, acknowledged: new Map() },
        sizeOffered: spec.sizeOffered,
        maxRetries: spec.maxRetries,
        clock: this.clock,
        onProgress: hooks.onProgress,
        onForeignPacket: hooks.onForeignPacket,
        onFinish: finish,
      }, spec.optionAck ? Buffer.from(spec.optionAck) : null);
      if (abortedWith !== null) transfer.abort(abortedWith);
      else transfer.start();
    };
    begin().catch((err: Error) => finish({ ok: false, reason: 'read-failed', message: `could not start: ${err.message}` }));
    return handle;
  }

  async close(): Promise<void> {
    for (const t of [...this.running]) t.abort('server shutting down');
  }
}
