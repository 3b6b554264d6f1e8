// Field schemas shared by the API, the forms and the OpenAPI document.
import { z } from 'zod';
import { parseCidr, parseIPv4 } from '../../lib/ipv4.ts';
import { canonicalIPv6, formatIPv6Prefix, parseIPv6, parseIPv6Prefix } from '../../lib/ipv6.ts';
import { macSpellingPattern, normalizeMac } from '../../lib/mac.ts';

export const ipv4 = z
  .string()
  .trim()
  .refine((s) => parseIPv4(s) !== null, { message: 'must be an IPv4 address like 10.0.0.5' })
  .meta({ format: 'ipv4' });

export const cidr = z
  .string()
  .trim()
  .refine((s) => parseCidr(s) !== null, { message: 'must be an IPv4 network like 10.0.0.0/24' })
  .refine((s) => {
    const c = parseCidr(s);
    return c === null || parseIPv4(s.split('/')[0]!) === c.network;
  }, { message: 'has host bits set: give the network address (e.g. 10.0.0.0/24)' });

/** An IPv6 address, stored in its RFC 5952 form (fd77:77::1) whatever spelling was sent. */
export const ipv6 = z
  .string()
  .trim()
  .refine((s) => parseIPv6(s) !== null, { message: 'must be an IPv6 address like fd77:77::10' })
  .transform((s) => canonicalIPv6(s)!)
  .meta({ format: 'ipv6' });

/** An IPv6 on-link prefix, stored canonical (fd77:77::/64). */
export const ipv6Prefix = z
  .string()
  .trim()
  .refine((s) => parseIPv6Prefix(s) !== null, { message: 'must be an IPv6 prefix like fd77:77::/64' })
  .refine((s) => {
    const p = parseIPv6Prefix(s);
    return p === null || parseIPv6(s.split('/')[0]!) === p.network;
  }, { message: 'has host bits set: give the prefix address (e.g. fd77:77::/64)' })
  .transform((s) => formatIPv6Prefix(parseIPv6Prefix(s)!));

export const mac = z
  .string()
  .trim()
  .regex(new RegExp(macSpellingPattern), 'must be a MAC address like aa:bb:cc:dd:ee:ff')
  .transform((s, ctx) => {
    const m = normalizeMac(s);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be a MAC address like aa:bb:cc:dd:ee:ff' });
      return z.NEVER;
    }
    return m;
  });

/** RFC 1123 host name: dot-separated labels of letters, digits and hyphens. */
export const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(253)
  // A-Z too: the value is lower-cased before this check, but the OpenAPI pattern is checked
  // by clients on what they send, and the API accepts capitals.
  .regex(/^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)(\.(?!-)[a-zA-Z0-9-]{1,63}(?<!-))*$/, 'must be letters, digits and hyphens (RFC 1123), dots between labels');

export const slug = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must start with a letter or digit and use only letters, digits, . _ -');

export const uuid = z.uuid({ message: 'must be an id (UUID)' });

/** Empty strings from HTML forms mean "not set". */
export function optionalNullable<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === '' ? null : v), schema.nullable().optional());
}
