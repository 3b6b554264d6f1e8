// The console's one way to call /api/v1 from the browser: JSON in, JSON out, and an error
// answer ({ error, code, field, issues }) turned into messages per form field.

export interface ApiFailure {
  ok: false;
  status: number;
  /** Message per field name, for the fields the server named. */
  fieldErrors: Record<string, string>;
  /** The server's message, shown above the form when no field of the form is named. */
  error: string;
  details?: unknown;
}
export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

interface ErrorBody {
  error?: string;
  field?: string;
  issues?: Array<{ field: string; message: string }>;
  details?: unknown;
}

export async function apiRequest<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, fieldErrors: {}, error: 'the server could not be reached; check your connection and try again' };
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (res.ok) return { ok: true, status: res.status, data: parsed as T };
  const err = (parsed ?? {}) as ErrorBody;
  const fieldErrors: Record<string, string> = {};
  for (const issue of err.issues ?? []) {
    fieldErrors[issue.field] ??= issue.message;
    // "dnsServers.1" belongs to the dnsServers input: say which entry.
    const [input, index] = issue.field.split('.');
    if (input && index !== undefined) fieldErrors[input] ??= `entry ${Number(index) + 1}: ${issue.message}`;
  }
  if (err.field && !fieldErrors[err.field]) fieldErrors[err.field] = stripFieldPrefix(err.error ?? 'invalid', err.field);
  const fallback = res.status === 403 ? 'your role may not do this' : res.status === 401 ? 'your session has ended: sign in again' : `the request failed (HTTP ${res.status})`;
  return { ok: false, status: res.status, fieldErrors, error: err.error ?? fallback, details: err.details };
}

/** zod errors arrive as "ip: must be …"; next to the IP input the prefix says nothing. */
function stripFieldPrefix(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
