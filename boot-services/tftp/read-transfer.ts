// One read transfer on its own port (RFC 1350 §4: the server's new TID): OACK when options
// were accepted, then DATA windows driven by the client's ACKs and our retransmission timer.
// Packets from any other address/port get ERROR 5 and change nothing (RFC 1350 §4), so a
// stranger on the segment can't cut a boot short. Socket and clock are injected.
import { encodeDataHeader, encodeError, parseTransferPacket, TftpErrorCode } from './packet.ts';
import { SendWindow, wireBlockNumber, type BlockRange } from './send-window.ts';
import type { TransferContent } from './transfer-content.ts';
import type { NegotiatedTransfer } from './options.ts';

export interface Endpoint {
  address: string;
  port: number;
}

/** The transfer's own UDP socket, bound to the address the request came to. */
export interface TransferSocket {
  send(parts: Buffer[], to: Endpoint): void;
  onPacket(handler: (packet: Buffer, from: Endpoint) => void): void;
  close(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type TransferResult =
  | { ok: true; bytesSent: number; resentBlocks: number }
  | { ok: false; reason: 'timeout' | 'client-error' | 'client-refused-options' | 'illegal-operation' | 'read-failed' | 'server-closing'; message: string }
  /** The client asked for tsize, read it from our OACK and stopped there on purpose (sizeProbeEnded). */
  | { ok: false; reason: 'size-probe'; message: string };

export interface ReadTransferOptions {
  socket: TransferSocket;
  client: Endpoint;
  content: TransferContent;
  negotiated: NegotiatedTransfer;
  /** Our OACK tells the file's size (RFC 2349 tsize): an ERROR answering it ends a size probe. */
  sizeOffered: boolean;
  /** Retransmissions of the same window before the client is given up on. */
  maxRetries: number;
  clock: Clock;
  onProgress(bytesAcknowledged: number): void;
  onForeignPacket(from: Endpoint): void;
  onFinish(result: TransferResult): void;
}

/** The longest wait between retransmissions when the client set no timeout: atftpd waits 5 s. */
export const maxBackoffMs = 4000;

/**
 * How long to wait for an ACK after the `retries`-th retransmission of the same window. RFC 1123
 * §4.2.3.2: TFTP MUST use an adaptive timeout with exponential backoff, so a congested link or a
 * busy client is not flooded with copies of a window it has not taken yet: the wait doubles with
 * each retransmission (1, 2, 4, 4… s by default) and is back to the base once the client moves.
 * A client that asked for a timeout (RFC 2349) gets exactly the interval it asked for.
 */
export function retransmitWaitMs(negotiated: NegotiatedTransfer, retries: number): number {
  if (negotiated.acknowledged.has('timeout')) return negotiated.timeoutMs;
  return Math.min(negotiated.timeoutMs * 2 ** retries, Math.max(maxBackoffMs, negotiated.timeoutMs));
}

/*
 * A size probe: RFC 2349 §"Transfer Size" lets a client learn a file's size from the OACK and
 * then abort with an ERROR ("If the file is too large for the client to handle, it may abort
 * the transfer"), and RFC 2347 §2 lets it end any OACK with ERROR 8. UEFI firmware does it
 * before every boot file: edk2's Mtftp4 GetInfo sends RRQ with tsize, and answers our OACK with
 * ERROR 8 "User aborted the transfer" (NetworkPkg/Mtftp4Dxe/Mtftp4Rrq.c, CheckPacket), then
 * asks again for the real download. An ERROR to an OACK that carried tsize, before any DATA,
 * is that probe ending: not a failed transfer.
 */
export class ReadTransfer {
  private readonly window: SendWindow;
  private readonly oack: Buffer | null;
  private awaitingOptionAck: boolean;
  private timer: unknown = null;
  /** When the current window times out; the timer is re-armed lazily, not per packet. */
  private deadlineMs = 0;
  /** When the armed timer fires. */
  private timerAtMs = 0;
  private retries = 0;
  private finished = false;
  /** Blocks sent more than once (timeouts, RFC 7440 partial ACKs): the link's loss, as we saw it. */
  private resentBlocks = 0;
  private sentTo = 0;

  constructor(private readonly o: ReadTransferOptions, oack: Buffer | null) {
    this.window = new SendWindow(o.content.sizeBytes, o.negotiated.blockBytes, o.negotiated.windowBlocks);
    this.oack = oack;
    this.awaitingOptionAck = oack !== null;
    o.socket.onPacket((packet, from) => this.onPacket(packet, from));
  }

  start(): void {
    if (this.oack) {
      this.o.socket.send([this.oack], this.o.client);
      this.armTimer();
    } else {
      this.sendRange(this.window.start());
    }
  }

  /** Ends the transfer now (server shutting down): tells the client why. */
  abort(message: string): void {
    this.o.socket.send([encodeError(TftpErrorCode.NotDefined, message)], this.o.client);
    this.finish({ ok: false, reason: 'server-closing', message });
  }

  private onPacket(packet: Buffer, from: Endpoint): void {
    if (this.finished) return;
    if (from.port !== this.o.client.port || from.address !== this.o.client.address) {
      // RFC 1350 §4: "an error packet should be sent to the source of the incorrect packet,
      // while not disturbing the transfer".
      this.o.socket.send([encodeError(TftpErrorCode.UnknownTransferId, 'Unknown transfer ID')], from);
      this.o.onForeignPacket(from);
      return;
    }
    const parsed = parseTransferPacket(packet);
    if (!parsed.ok) return; // a mangled datagram from our client: its retransmission will follow
    const p = parsed.value;
    if (p.kind === 'error') {
      const message = `client sent error ${p.code}: ${p.message}`;
      if (this.awaitingOptionAck && this.o.sizeOffered) {
        this.finish({ ok: false, reason: 'size-probe', message });
        return;
      }
      const refusedOptions = this.awaitingOptionAck && p.code === TftpErrorCode.OptionsRefused;
      this.finish({ ok: false, reason: refusedOptions ? 'client-refused-options' : 'client-error', message });
      return;
    }
    if (p.kind === 'other') {
      this.o.socket.send([encodeError(TftpErrorCode.IllegalOperation, 'Illegal TFTP operation')], from);
      this.finish({ ok: false, reason: 'illegal-operation', message: `opcode ${p.opcode} during a read transfer` });
      return;
    }
    if (this.awaitingOptionAck) {
      // RFC 2347 §2: the client accepts our OACK with ACK of block 0.
      if (p.block !== 0) return;
      this.awaitingOptionAck = false;
      this.retries = 0;
      this.sendRange(this.window.start());
      return;
    }
    const outcome = this.window.onAck(p.block);
    switch (outcome.kind) {
      case 'complete':
        this.o.onProgress(this.o.content.sizeBytes);
        this.finish({ ok: true, bytesSent: this.o.content.sizeBytes, resentBlocks: this.resentBlocks });
        return;
      case 'send':
        this.retries = 0;
        this.o.onProgress(Math.min(this.window.acknowledgedBlocks * this.window.blockBytes, this.o.content.sizeBytes));
        this.sendRange(outcome.range);
        return;
      case 'duplicate':
      case 'out-of-window':
        // RFC 1123 §4.2.3.1: only our timer retransmits; answering a duplicate ACK would
        // double every later block (the Sorcerer's Apprentice Syndrome).
        return;
    }
  }

  private sendRange(range: BlockRange): void {
    const blockBytes = this.window.blockBytes;
    const from = range.from * blockBytes;
    const length = (range.to - range.from) * blockBytes;
    const bytes = this.o.content.peek(from, length);
    if (bytes) {
      this.sendBlocks(range, bytes);
      return;
    }
    this.o.content.load(from, length).then(
      () => {
        if (this.finished) return;
        const loaded = this.o.content.peek(from, length);
        if (loaded) this.sendBlocks(range, loaded);
        else this.finish({ ok: false, reason: 'read-failed', message: 'file shorter than its size' });
      },
      (err: Error) => {
        if (this.finished) return;
        this.o.socket.send([encodeError(TftpErrorCode.NotDefined, 'Read error')], this.o.client);
        this.finish({ ok: false, reason: 'read-failed', message: err.message });
      },
    );
  }

  private sendBlocks(range: BlockRange, bytes: Buffer): void {
    const blockBytes = this.window.blockBytes;
    if (range.from < this.sentTo) this.resentBlocks += Math.min(range.to, this.sentTo) - range.from;
    this.sentTo = Math.max(this.sentTo, range.to);
    for (let block = range.from; block < range.to; block++) {
      const start = (block - range.from) * blockBytes;
      this.o.socket.send([encodeDataHeader(wireBlockNumber(block)), bytes.subarray(start, start + blockBytes)], this.o.client);
    }
    this.armTimer();
  }

  private armTimer(): void {
    const waitMs = retransmitWaitMs(this.o.negotiated, this.retries);
    // Moving a deadline later is one store; replacing a timer for every DATA sent showed in
    // profiles. Only a deadline earlier than the armed timer (progress after a backoff) re-arms it.
    this.deadlineMs = this.o.clock.now() + waitMs;
    if (this.timer !== null && this.timerAtMs > this.deadlineMs) {
      this.o.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.timer === null) this.startTimer(waitMs);
  }

  private startTimer(waitMs: number): void {
    this.timerAtMs = this.o.clock.now() + waitMs;
    this.timer = this.o.clock.setTimeout(() => this.onTimer(), waitMs);
  }

  private onTimer(): void {
    this.timer = null;
    if (this.finished) return;
    const remainingMs = this.deadlineMs - this.o.clock.now();
    if (remainingMs > 0) {
      this.startTimer(remainingMs);
      return;
    }
    this.onTimeout();
  }

  private onTimeout(): void {
    if (this.retries >= this.o.maxRetries) {
      this.finish({ ok: false, reason: 'timeout', message: `no ACK after ${this.retries + 1} tries` });
      return;
    }
    this.retries++;
    if (this.awaitingOptionAck && this.oack) {
      this.o.socket.send([this.oack], this.o.client);
      this.armTimer();
    } else {
      this.sendRange(this.window.onTimeout());
    }
  }

  private finish(result: TransferResult): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.o.content.close();
    this.o.socket.close();
    this.o.onFinish(result);
  }
}
