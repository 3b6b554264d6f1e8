// How the console proves itself to a boot server's status endpoint (hosts' log tails) when
// that bootd runs on another machine: an HMAC-SHA256 of the request line and a timestamp,
// keyed with the boot server credential's sha256. The console stored that hash when it made
// the boot server and bootd computes it from its credential, so neither side keeps a second
// secret; revoking the boot server ends it. A signature is good for signatureMaxSkewSeconds
// either way of bootd's clock (the requests are reads).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const consoleSignatureHeader = 'x-fleetboot-console-signature';
export const signatureMaxSkewSeconds = 300;

function mac(credentialHash: string, method: string, pathAndQuery: string, seconds: number): string {
  return createHmac('sha256', credentialHash).update(`${method.toUpperCase()} ${pathAndQuery} ${seconds}`).digest('hex');
}

/** The header value for a request to a boot server: "<unix seconds>:<hex hmac>". */
export function signConsoleRequest(credentialHash: string, method: string, pathAndQuery: string, nowMs = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000);
  return `${seconds}:${mac(credentialHash, method, pathAndQuery, seconds)}`;
}

export function verifyConsoleRequest(credentialHash: string, method: string, pathAndQuery: string, header: string | undefined, nowMs = Date.now()): boolean {
  const m = /^(\d{1,12}):([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const seconds = Number(m[1]);
  if (Math.abs(nowMs / 1000 - seconds) > signatureMaxSkewSeconds) return false;
  return timingSafeEqual(Buffer.from(m[2]!, 'hex'), Buffer.from(mac(credentialHash, method, pathAndQuery, seconds), 'hex'));
}
