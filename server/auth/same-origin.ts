// Cross-site request forgery guard for requests a browser sends with the session cookie.
// SameSite=Strict isn't enough: a page on another port of the same host is the same *site*
// (RFC 6265bis §5.2 ignores ports), so its requests carry the cookie. What tells the console's
// own pages from any other page is the Origin header (RFC 6454 §7; the Fetch standard sends it
// on every request whose method isn't GET or HEAD) and, where a browser leaves it out,
// Sec-Fetch-Site (W3C Fetch Metadata). A page can set neither.
import { DomainError } from '../errors.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return safeMethods.has(method.toUpperCase());
}

/**
 * The origins the console's pages are served from. FLEETBOOT_PUBLIC_URL names them (comma
 * separated) when a reverse proxy stands between browser and console; otherwise the origin the
 * request was addressed to (its Host, and X-Forwarded-Proto's scheme when a proxy set it: a
 * page can't set that header on a cross-origin request without a preflight we never grant).
 */
export function consoleOrigins(req: Request, publicUrl = process.env.FLEETBOOT_PUBLIC_URL): string[] {
  if (publicUrl?.trim()) return publicUrl.split(',').map((u) => new URL(u.trim()).origin);
  const host = req.headers.get('host');
  if (!host) return [];
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() || new URL(req.url).protocol.slice(0, -1);
  try {
    return [new URL(`${proto}://${host}`).origin];
  } catch {
    return [];
  }
}

function refused(reason: string): DomainError {
  return new DomainError('forbidden', `cross-origin request refused: ${reason}`, 'origin');
}

/**
 * Throws 403 (field "origin") unless the request provably comes from the console's own pages.
 * `unprovenAllowed`: a request with neither header passes (a script, not a browser); only for
 * requests that carry no session (sign-in).
 */
export function requireSameOrigin(req: Request, opts: { unprovenAllowed?: boolean; publicUrl?: string } = {}): void {
  const origin = req.headers.get('origin');
  if (origin !== null) {
    const allowed = consoleOrigins(req, opts.publicUrl);
    if (!allowed.includes(origin)) throw refused(`Origin ${origin} is not the console's (${allowed.join(', ') || 'unknown'}; set FLEETBOOT_PUBLIC_URL behind a proxy)`);
    return;
  }
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) {
    if (site !== 'same-origin') throw refused(`Sec-Fetch-Site is ${site}`);
    return;
  }
  if (!opts.unprovenAllowed) throw refused('a request with the session cookie must carry Origin (browsers send it; scripts use an API token)');
}
