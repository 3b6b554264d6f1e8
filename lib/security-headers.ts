// The security headers every answer of the console carries, and its Content-Security-Policy.
// Pages get a fresh nonce per request (proxy.ts): Next.js reads it from the request's CSP header
// and puts it on its own scripts and inline styles; 'strict-dynamic' lets those load the
// chunks they need, and nothing else runs. Answers that aren't pages (the API, static files)
// get a policy that allows nothing at all: a JSON answer opened as a document runs no script.

/** X-Content-Type-Options, X-Frame-Options, Referrer-Policy: the same on every answer. */
export const staticSecurityHeaders: ReadonlyArray<{ key: string; value: string }> = [
  // Never guess a type from the bytes (an uploaded file served as script).
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // No page of the console inside another site's frame (clickjacking); CSP frame-ancestors is
  // the modern form, X-Frame-Options the one older browsers know (RFC 7034).
  { key: 'X-Frame-Options', value: 'DENY' },
  // Links to other sites don't learn the console's URLs (host ids, search terms).
  { key: 'Referrer-Policy', value: 'same-origin' },
];

/** The policy of non-page answers: nothing may load or frame them. */
export const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A page's policy. `https`: the console is served over TLS, so any http: URL is upgraded
 * (upgrade-insecure-requests would break a console served over plain http).
 */
export function pageContentSecurityPolicy(nonce: string, opts: { https: boolean; dev?: boolean }): string {
  return [
    "default-src 'self'",
    // React in development reconstructs server stacks with eval; production never evals.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // Progress bars set their width in a style attribute; a nonce can't cover attributes.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // fetch, EventSource (live boot events) and uploads go to the console only.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}
