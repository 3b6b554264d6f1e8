// Option negotiation for a read request: which of the client's options we accept and with
// what values (RFC 2347 option extension, RFC 2348 blksize, RFC 2349 timeout + tsize,
// RFC 7440 windowsize). Pure: limits come in, the accepted set goes out.

/** RFC 1350 §2: without blksize, every DATA carries 512 bytes. */
export const defaultBlockBytes = 512;
/** RFC 2348: valid blksize values. */
export const minBlockBytes = 8;
export const maxBlockBytes = 65464;
/** RFC 2349: valid timeout values, in seconds. */
export const minTimeoutSeconds = 1;
export const maxTimeoutSeconds = 255;
/** RFC 7440 §3: valid windowsize values. */
export const maxWindowBlocks = 65535;

/** IPv4 header (no options) + UDP header + TFTP DATA header. */
const ipv4UdpTftpHeaderBytes = 20 + 8 + 4;
/** IPv6 header (RFC 8200 §3, no extension headers) + UDP header + TFTP DATA header. */
const ipv6UdpTftpHeaderBytes = 40 + 8 + 4;

/** The largest blksize that fits in one unfragmented datagram on a link with this MTU. */
export function blockBytesForMtu(mtuBytes: number, family: 'IPv4' | 'IPv6' = 'IPv4'): number {
  const headerBytes = family === 'IPv6' ? ipv6UdpTftpHeaderBytes : ipv4UdpTftpHeaderBytes;
  return Math.max(defaultBlockBytes, Math.min(maxBlockBytes, mtuBytes - headerBytes));
}

export interface NegotiationLimits {
  /** Capped by the MTU of the interface the request came in on. */
  maxBlockBytes: number;
  maxWindowBlocks: number;
  defaultTimeoutMs: number;
}

export interface NegotiatedTransfer {
  blockBytes: number;
  windowBlocks: number;
  timeoutMs: number;
  /** What goes in the OACK, in the order the client asked; empty → no OACK (RFC 2347 §2). */
  acknowledged: Map<string, string>;
}

function parseDecimal(text: string): number | null {
  return /^[0-9]{1,10}$/.test(text) ? Number(text) : null;
}

/**
 * RFC 2347 §2: options the server does not support or whose values are invalid are left out of
 * the OACK (the transfer then runs with defaults) rather than refusing the boot.
 */
export function negotiateReadOptions(requested: ReadonlyMap<string, string>, fileSizeBytes: number, limits: NegotiationLimits): NegotiatedTransfer {
  const result: NegotiatedTransfer = { blockBytes: defaultBlockBytes, windowBlocks: 1, timeoutMs: limits.defaultTimeoutMs, acknowledged: new Map() };
  for (const [name, raw] of requested) {
    const value = parseDecimal(raw);
    if (value === null) continue;
    if (name === 'blksize' && value >= minBlockBytes && value <= maxBlockBytes) {
      // RFC 2348: the server may answer with a smaller size, never a larger one.
      result.blockBytes = Math.min(value, limits.maxBlockBytes);
      result.acknowledged.set(name, String(result.blockBytes));
    } else if (name === 'timeout' && value >= minTimeoutSeconds && value <= maxTimeoutSeconds) {
      // RFC 2349: the server accepts the value as sent or leaves the option out.
      result.timeoutMs = value * 1000;
      result.acknowledged.set(name, String(value));
    } else if (name === 'tsize' && value === 0) {
      // RFC 2349: in a read request tsize is 0 and the OACK carries the file's size.
      result.acknowledged.set(name, String(fileSizeBytes));
    } else if (name === 'windowsize' && value >= 1 && value <= maxWindowBlocks) {
      // RFC 7440 §4: the server may answer with a smaller window.
      result.windowBlocks = Math.min(value, limits.maxWindowBlocks);
      result.acknowledged.set(name, String(result.windowBlocks));
    }
  }
  return result;
}
