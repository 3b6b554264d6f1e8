// Domain errors as typed values (STYLE.md "Boundaries and errors"); server/api/respond.ts
// maps them to HTTP status and { error, code, field }.

export const errorCodes = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** sign-in throttled: details.retryAfterSeconds says when to try again (RFC 6585 §4) */
  too_many_requests: 429,
  /** the artifact store's disk has no room for what was sent (RFC 4918 §11.5) */
  insufficient_storage: 507,
  /** a device we drive (a BMC) answered with an error or refused us */
  bad_gateway: 502,
  /** a device we drive (a BMC) did not answer in time */
  gateway_timeout: 504,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const conflict = (field: string, message: string) => new DomainError('conflict', message, field);
export const invalid = (field: string, message: string, details?: unknown) => new DomainError('invalid', message, field, details);
export const unauthorized = (message = 'sign in or send an API token') => new DomainError('unauthorized', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
