// Every /api/v1 route goes through apiRoute(): who is asking (session cookie or bearer token),
// may they (role), did the console's own pages send it (a cookie session's state-changing
// request), parse input, call the domain, map errors. Route files stay a few lines.
import { cookies } from 'next/headers';
import type { z } from 'zod';
import { requireRole, type Actor, type Role } from '../auth/actor.ts';
import { actorFromRequest, sessionCookieName } from '../auth/sessions.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { requireMediaType } from './media-type.ts';
import { errorResponse, json } from './respond.ts';
import { isSafeMethod, requireSameOrigin } from '../auth/same-origin.ts';

const maxJsonBodyBytes = 20 * 1024 * 1024;
/** Every record the API addresses by id has a UUID (the columns are `uuid`). */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiContext<P> {
  req: Request;
  actor: Actor;
  params: P;
  url: URL;
}

type RouteContext = { params: Promise<Record<string, string>> };

export function apiRoute<P extends Record<string, string> = Record<string, string>>(
  role: Role,
  fn: (ctx: ApiContext<P>) => Promise<unknown>,
  opts: { status?: number } = {},
) {
  return async (req: Request, route: RouteContext): Promise<Response> => {
    try {
      const cookieStore = await cookies();
      const actor = await actorFromRequest(req.headers, cookieStore.get(sessionCookieName)?.value);
      // A token is sent by a script that holds it; a cookie by any page the browser shows.
      if (actor.kind === 'user' && !isSafeMethod(req.method)) requireSameOrigin(req);
      requireRole(actor, role);
      const params = ((await route?.params) ?? {}) as P;
      // No record has an id that isn't a UUID; asked as is, PostgreSQL rejects the uuid cast
      // and the caller would get a 500 for what is simply a record that doesn't exist.
      if (params.id !== undefined && !uuidPattern.test(params.id)) throw notFound('record');
      const result = await fn({ req, actor, params, url: new URL(req.url) });
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: 204 });
      return json(result, opts.status ?? 200);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * Reads a JSON body sent as exactly application/json: a page on another origin can't send that
 * type without a CORS preflight, which we never grant (a second guard beside the origin check).
 */
export async function readJson(req: Request): Promise<unknown> {
  requireMediaType(req, ['application/json']);
  const text = await readText(req, maxJsonBodyBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('body', 'the body is not valid JSON');
  }
}

export async function readText(req: Request, limitBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > limitBytes) throw new DomainError('payload_too_large', `the body is larger than ${limitBytes} bytes`, 'body');
  const text = await req.text();
  if (Buffer.byteLength(text) > limitBytes) throw new DomainError('payload_too_large', `the body is larger than ${limitBytes} bytes`, 'body');
  return text;
}

export function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  return schema.parse(input);
}

/**
 * Query string → plain object, refusing parameters the route doesn't know: a misspelt filter
 * (`?role_id=`) answered with every record looks like a filter that worked.
 */
export function knownQuery(url: URL, known: readonly string[]): Record<string, string> {
  const q = queryObject(url);
  const unknown = Object.keys(q).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw invalid(unknown[0]!, `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this list takes ${known.join(', ')}`, { unknown });
  }
  return q;
}

/** Query string → plain object (repeated keys keep the last value). */
export function queryObject(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}
