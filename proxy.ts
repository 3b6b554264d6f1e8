// Next.js Proxy (the file convention Next 16 calls what was middleware): every page request
// gets a fresh CSP nonce. Next.js takes it from the request's Content-Security-Policy header
// and adds it to the scripts it renders, which is why pages are rendered per request (the
// root layout asks for the request's headers). API routes and static files are left out:
// their headers come from scripts/web.ts, and a proxy in front of a multi-GB upload would
// only cost time.
import { NextResponse, type NextRequest } from 'next/server';
import { pageContentSecurityPolicy } from './lib/security-headers.ts';

export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  const https = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https' || (process.env.FLEETBOOT_PUBLIC_URL ?? '').startsWith('https:');
  const policy = pageContentSecurityPolicy(nonce, { https, dev: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!api/|_next/static/|_next/image|icon.svg).*)' }],
};
