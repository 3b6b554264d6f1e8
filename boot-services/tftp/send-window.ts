// The sending side of one read transfer, as a pure state machine: which blocks go out after
// an ACK or a timeout. Block indexes are absolute (0-based); on the wire block k is numbered
// (k + 1) mod 65536 (RFC 1350 §6, rolling over to 0 after 65535 as tftp-hpa, atftp and
// pxelinux expect). Windows follow RFC 7440; windowBlocks = 1 is RFC 1350's lock-step.

export interface BlockRange {
  /** First block index to send. */
  from: number;
  /** One past the last block index to send. */
  to: number;
}

export type AckOutcome =
  | { kind: 'send'; range: BlockRange }
  | { kind: 'complete' }
  /** RFC 1123 §4.2.3.1: a duplicate ACK never triggers a resend (the Sorcerer's Apprentice). */
  | { kind: 'duplicate' }
  /** An ACK for a block not sent yet (or from a confused client): ignored. */
  | { kind: 'out-of-window' };

const blockNumberModulus = 65536;

export function wireBlockNumber(blockIndex: number): number {
  return (blockIndex + 1) % blockNumberModulus;
}

/** DATA packets needed for a file: the last is shorter than a block, possibly empty (RFC 1350 §6). */
export function blockCountFor(sizeBytes: number, blockBytes: number): number {
  return Math.floor(sizeBytes / blockBytes) + 1;
}

export class SendWindow {
  /** Blocks [0, acknowledged) are confirmed by the client. */
  private acknowledged = 0;
  /** One past the highest block index sent so far. */
  private sentTo = 0;
  readonly blockCount: number;

  constructor(sizeBytes: number, readonly blockBytes: number, readonly windowBlocks: number) {
    this.blockCount = blockCountFor(sizeBytes, blockBytes);
  }

  get acknowledgedBlocks(): number {
    return this.acknowledged;
  }

  /** The first window, sent when the transfer starts (or the client ACKed our OACK). */
  start(): BlockRange {
    return this.windowFrom(0);
  }

  onAck(wireBlock: number): AckOutcome {
    // Map the 16-bit number to the one absolute block count it can mean inside what we sent.
    const ackedCount = this.acknowledged + ((wireBlock - (this.acknowledged % blockNumberModulus) + blockNumberModulus) % blockNumberModulus);
    if (ackedCount === this.acknowledged) return { kind: 'duplicate' };
    if (ackedCount > this.sentTo) return { kind: 'out-of-window' };
    this.acknowledged = ackedCount;
    if (ackedCount >= this.blockCount) return { kind: 'complete' };
    // RFC 7440 §4: an ACK inside the window means the blocks after it were lost: send the
    // next window starting right after the acknowledged block.
    return { kind: 'send', range: this.windowFrom(ackedCount) };
  }

  /** Our retransmission timer ran out: send the unacknowledged window again. */
  onTimeout(): BlockRange {
    return this.windowFrom(this.acknowledged);
  }

  private windowFrom(first: number): BlockRange {
    const to = Math.min(first + this.windowBlocks, this.blockCount);
    this.sentTo = Math.max(this.sentTo, to);
    return { from: first, to };
  }
}
