// The address a request came from, for the sign-in throttle. The web process (scripts/web.ts)
// writes it into a request header of its own, replacing whatever the client sent there, so a
// route reads the socket's peer, or, when that peer is a reverse proxy named in
// FLEETBOOT_TRUSTED_PROXIES, the last address the proxies added to X-Forwarded-For.
export const clientAddressHeader = 'x-fleetboot-client-address';

const plain = (a: string) => a.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export function clientAddressOf(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: readonly string[]): string {
  const socket = plain(peer ?? 'unknown');
  if (!trustedProxies.includes(socket) || !forwardedFor) return socket;
  // Each proxy appends the address it heard from: read from the right, past our own proxies.
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map(plain).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return hops[0] ?? socket;
}

export function trustedProxies(env = process.env.FLEETBOOT_TRUSTED_PROXIES): string[] {
  return (env ?? '').split(',').map(plain).filter(Boolean);
}

export function requestClientAddress(req: Request): string {
  return req.headers.get(clientAddressHeader) ?? 'unknown';
}
