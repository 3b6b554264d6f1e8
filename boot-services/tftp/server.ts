// The TFTP server's sockets and loop: one listening socket per local address (Node's dgram
// can't tell which address a datagram was sent to, so binding each address is how replies
// leave from the address the request came to), read-only request handling, admission, and
// one ReadTransfer per admitted request on a new port bound to that same address.
// Every request ends in exactly one observer call: refused{reason}, or started → finished.
//
// Why not the npm `tftp` package's engine (DESIGN.md allowed replacing it): its faults sit in
// its core, not at its edges: the window resends on a duplicate ACK (Sorcerer's Apprentice),
// transfer sockets take any source's ERROR as the client's, "mail" is served, sockets bind
// 0.0.0.0, and every block is sliced and re-concatenated through streams. Fixing those meant
// rewriting Window, the request socket handling and the parser; the codec (packet.ts), options
// (options.ts) and window (send-window.ts) here are each smaller than the code they replace.
import dgram from 'node:dgram';
import net from 'node:net';
import { encodeError, encodeOptionAck, parseRequest, TftpErrorCode, type TftpRequest } from './packet.ts';
import { negotiateReadOptions } from './options.ts';
import { AdmissionQueue, type AdmissionLimits } from './admission.ts';
import { systemClock, type Clock, type Endpoint, type TransferResult } from './read-transfer.ts';
import type { ContentSpec, RunningTransfer, TransferRunner } from './transfer-runner.ts';
import { checkBootFileName } from '../boot-config/boot-files.ts';

/** The host a transfer belongs to, and how it was found (reservation, lease, agent, the config's own MAC). */
export interface HostHint { hostId: string | null; mac: string | null; by?: string }

export type OpenResult =
  | { ok: true; content: ContentSpec; sizeBytes: number; hostHint: HostHint }
  | { ok: false; code: TftpErrorCode; message: string; reason: string };

export interface TransferInfo {
  client: Endpoint;
  localAddress: string;
  fileName: string;
  sizeBytes: number;
  blockBytes: number;
  windowBlocks: number;
  hostHint: HostHint;
  startedAtMs: number;
}

export interface TftpObserver {
  refused(client: Endpoint, reason: string, fileName: string | null): void;
  started(t: TransferInfo): void;
  progress(t: TransferInfo, bytesAcknowledged: number): void;
  finished(t: TransferInfo, result: TransferResult): void;
  foreignPacket(t: TransferInfo, from: Endpoint): void;
}

export interface TftpServerOptions {
  /** Local addresses (IPv4 or IPv6) to listen on, one socket each. */
  addresses: string[];
  port: number;
  /** Resolves a checked name into the bytes to send (may be generated for this client). */
  openFile(name: string, client: Endpoint, mode: TftpRequest['mode']): Promise<OpenResult>;
  /** Largest blksize for a request that came to this local address (its link's MTU). */
  maxBlockBytesFor(localAddress: string): number;
  maxWindowBlocks: number;
  defaultTimeoutMs: number;
  maxRetries: number;
  admission: AdmissionLimits;
  observer: TftpObserver;
  /** Where admitted transfers run (this thread, or worker threads). */
  runner: TransferRunner;
  clock?: Clock;
}

interface PendingRequest {
  request: TftpRequest;
  name: string;
  client: Endpoint;
  localAddress: string;
}

export class TftpServer {
  private readonly listeners = new Map<string, dgram.Socket>();
  private readonly transfers = new Map<string, RunningTransfer>();
  private readonly admission: AdmissionQueue<PendingRequest>;
  private readonly clock: Clock;
  private closing = false;

  constructor(private readonly o: TftpServerOptions) {
    this.admission = new AdmissionQueue(o.admission);
    this.clock = o.clock ?? systemClock;
  }

  get activeTransfers(): number {
    return this.admission.runningCount;
  }

  get queuedRequests(): number {
    return this.admission.queuedCount;
  }

  async listen(): Promise<void> {
    let port = this.o.port;
    for (const address of this.o.addresses) {
      const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: net.isIPv6(address) });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, address, () => {
          // Port 0 (tests): every address listens on the port the first one got.
          port = socket.address().port;
          socket.off('error', reject);
          resolve();
        });
      });
      // A socket error must never take bootd down; the next datagram is handled as usual.
      socket.on('error', () => undefined);
      socket.on('message', (msg, rinfo) => this.onRequest(socket, address, msg, { address: rinfo.address, port: rinfo.port }));
      this.listeners.set(address, socket);
    }
  }

  /** The port actually bound (port 0 in tests picks a free one). */
  boundPort(): number {
    return [...this.listeners.values()][0]?.address().port ?? this.o.port;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.listeners.values()) s.close();
    this.listeners.clear();
    for (const pending of this.admission.drain()) this.o.observer.refused(pending.client, 'server-closing', pending.name);
    for (const t of [...this.transfers.values()]) t.abort('server shutting down');
    await this.o.runner.close();
  }

  private refuse(listener: dgram.Socket, client: Endpoint, code: TftpErrorCode, message: string, reason: string, fileName: string | null): void {
    listener.send(encodeError(code, message), client.port, client.address);
    this.o.observer.refused(client, reason, fileName);
  }

  private onRequest(listener: dgram.Socket, localAddress: string, msg: Buffer, client: Endpoint): void {
    if (this.closing) return;
    const parsed = parseRequest(msg);
    if (!parsed.ok) {
      const code = parsed.reason === 'mode-mail' || parsed.reason === 'unknown-mode' || parsed.reason === 'not-a-request' ? TftpErrorCode.IllegalOperation : TftpErrorCode.NotDefined;
      this.refuse(listener, client, code, parsed.reason === 'mode-mail' ? 'Mode mail is not supported' : `Malformed request (${parsed.reason})`, parsed.reason, null);
      return;
    }
    const request = parsed.value;
    if (request.kind === 'write') {
      this.refuse(listener, client, TftpErrorCode.AccessViolation, 'Read-only server: write requests are refused', 'write-request', request.fileName);
      return;
    }
    // Windows-built firmware and menus send DOS separators.
    const checked = checkBootFileName(request.fileName.replace(/\\/g, '/'));
    if (!checked.ok) {
      this.refuse(listener, client, TftpErrorCode.AccessViolation, `Access violation (${checked.reason})`, checked.reason, request.fileName.slice(0, 64));
      return;
    }
    const pending: PendingRequest = { request, name: checked.name, client, localAddress };
    const key = `${client.address}:${client.port}`;
    const admitted = this.admission.admit(key, pending, this.clock.now());
    if (admitted === 'start') this.begin(key, pending);
    // 'queued' waits for a slot; 'duplicate' is the client's retransmitted RRQ; 'queue-full'
    // is dropped silently so the firmware retries later instead of giving up on an error.
    else if (admitted === 'queue-full') this.o.observer.refused(client, 'queue-full', checked.name);
  }

  private begin(key: string, p: PendingRequest): void {
    const release = () => {
      this.transfers.delete(key);
      const next = this.admission.release(key, this.clock.now());
      for (const expired of next.expired) this.o.observer.refused(expired.client, 'queue-timeout', expired.name);
      for (const s of next.start) this.begin(s.key, s.request);
    };
    this.o.openFile(p.name, p.client, p.request.mode).then(
      async (opened) => {
        if (!opened.ok) {
          this.listeners.get(p.localAddress)?.send(encodeError(opened.code, opened.message), p.client.port, p.client.address);
          this.o.observer.refused(p.client, opened.reason, p.name);
          release();
          return;
        }
        if (this.closing) {
          this.o.observer.refused(p.client, 'server-closing', p.name);
          release();
          return;
        }
        this.startTransfer(key, p, opened, release);
      },
      (err: Error) => {
        this.o.observer.refused(p.client, 'open-failed', `${p.name}: ${err.message}`);
        release();
      },
    );
  }

  private startTransfer(key: string, p: PendingRequest, opened: Extract<OpenResult, { ok: true }>, release: () => void): void {
    const negotiated = negotiateReadOptions(p.request.options, opened.sizeBytes, {
      maxBlockBytes: this.o.maxBlockBytesFor(p.localAddress),
      maxWindowBlocks: this.o.maxWindowBlocks,
      defaultTimeoutMs: this.o.defaultTimeoutMs,
    });
    const info: TransferInfo = {
      client: p.client, localAddress: p.localAddress, fileName: p.name, sizeBytes: opened.sizeBytes,
      blockBytes: negotiated.blockBytes, windowBlocks: negotiated.windowBlocks, hostHint: opened.hostHint, startedAtMs: this.clock.now(),
    };
    this.o.observer.started(info);
    const transfer = this.o.runner.start({
      client: p.client,
      localAddress: p.localAddress,
      blockBytes: negotiated.blockBytes,
      windowBlocks: negotiated.windowBlocks,
      timeoutMs: negotiated.timeoutMs,
      optionAck: negotiated.acknowledged.size > 0 ? encodeOptionAck(negotiated.acknowledged) : null,
      sizeOffered: negotiated.acknowledged.has('tsize'),
      content: opened.content,
      maxRetries: this.o.maxRetries,
    }, {
      onProgress: (bytes) => this.o.observer.progress(info, bytes),
      onForeignPacket: (from) => this.o.observer.foreignPacket(info, from),
      onFinish: (result: TransferResult) => {
        this.o.observer.finished(info, result);
        release();
      },
    });
    this.transfers.set(key, transfer);
  }
}
