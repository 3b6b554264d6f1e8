// Content-Type as RFC 9110 §8.3.1 defines it: `type/subtype` and parameters. Routes accept one
// exact type each: the CORS-safelisted ones (text/plain, application/x-www-form-urlencoded,
// multipart/form-data) are what a page on another origin can send without a preflight, so a
// check by substring ("contains json") lets `text/plain;x=json` through.
import { DomainError } from '../errors.ts';

/** `type; a=1; b="x;y"` → ['type', ['a','1'], ['b','x;y']] with keys lower-cased. */
export function splitParams(value: string): [string | undefined, ...Array<[string, string]>] {
  const semi = value.indexOf(';');
  const head = (semi < 0 ? value : value.slice(0, semi)).trim();
  const params: Array<[string, string]> = [];
  // a token, or a quoted-string in which \" and \\ are escapes (curl's and RFC 9110's form)
  const param = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of (semi < 0 ? '' : value.slice(semi)).matchAll(param)) {
    params.push([m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : m[3]!.trim()]);
  }
  return [head, ...params];
}

/**
 * True when the Content-Type is exactly `type`, with no parameter but a UTF-8 charset (the only
 * charset we decode). `text/plain;x=csv`, `text/csvx` or `application/json; x=1` are not.
 */
export function isMediaType(header: string | null, type: string): boolean {
  if (!header) return false;
  const escaped = type.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^\\s*${escaped}\\s*(;\\s*charset\\s*=\\s*(utf-?8|"utf-?8")\\s*)?$`, 'i').test(header);
}

/** Throws 415 naming content-type unless the request's type is one of `types` (see isMediaType). */
export function requireMediaType(req: Request, types: readonly string[]): string {
  const header = req.headers.get('content-type');
  const found = types.find((t) => isMediaType(header, t));
  if (!found) throw new DomainError('unsupported_media_type', `send the body as ${types.join(' or ')} (a charset=utf-8 parameter at most)`, 'content-type');
  return found;
}
