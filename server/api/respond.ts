// One mapping from errors to HTTP (STYLE.md): DomainError by its code, zod errors → 400 naming
// the field, Prisma's unique violation → 409 by its error code (never by message text).
import { Prisma } from '@prisma/client';
import { ZodError } from 'zod';
import { firstIssue, issueField } from '../../lib/zod-issues.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { DomainError, errorCodes } from '../errors.ts';

/** What a client is told while PostgreSQL is away (web.ts's gate says the same). */
export const databaseUnavailableMessage = 'the database is not reachable; Fleetboot retries by itself, try again in a few seconds';
export const retryAfterSeconds = 5;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/** The constraint's columns of a unique violation, from Prisma's error metadata. */
function uniqueFields(err: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = err.meta as Record<string, unknown> | undefined;
  if (Array.isArray(meta?.target)) return meta.target.map(String);
  const adapter = meta?.driverAdapterError as { cause?: { constraint?: { fields?: string[] } } } | undefined;
  const fields = adapter?.cause?.constraint?.fields;
  // A case-insensitive unique index reports its expression ("lower(name", the adapter drops the
  // closing parenthesis): the field is the column inside it.
  return Array.isArray(fields) ? fields.map((f) => f.replace(/"/g, '').replace(/^lower\(([^)]*)\)?$/i, '$1')) : [];
}

export function errorResponse(err: unknown): Response {
  if (err instanceof DomainError) {
    // RFC 6585 §4: a 429 may say when to come back.
    const retryAfter = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    return json({ error: err.message, code: err.code, ...(err.field ? { field: err.field } : {}), ...(err.details ? { details: err.details } : {}) }, errorCodes[err.code], retryAfter ? { 'retry-after': String(retryAfter) } : {});
  }
  if (err instanceof ZodError) {
    const { field, message } = firstIssue(err);
    return json(
      {
        error: `${field}: ${message}`,
        code: 'invalid',
        field,
        issues: err.issues.map((i) => ({ field: issueField(i), message: i.message })),
      },
      400,
    );
  }
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === 'P2002') {
      const fields = uniqueFields(err);
      const field = fields.find((f) => f !== 'networkId') ?? fields[0] ?? 'unknown';
      return json({ error: `another record already has this ${field}`, code: 'conflict', field }, 409);
    }
    if (err.code === 'P2025') return json({ error: 'not found', code: 'not_found' }, 404);
    if (err.code === 'P2003') {
      const field = String((err.meta as Record<string, unknown> | undefined)?.field_name ?? 'reference');
      return json({ error: `${field} refers to a record that does not exist`, code: 'invalid', field }, 400);
    }
  }
  if (isDatabaseUnavailable(err)) {
    return json({ error: databaseUnavailableMessage, code: 'database_unavailable' }, 503, { 'retry-after': String(retryAfterSeconds) });
  }
  console.error('unhandled API error', err);
  return json({ error: 'internal error', code: 'internal' }, 500);
}
