// "The database is away" as an error, recognised by code (never by message text): Prisma's
// connection codes, node-postgres' SQLSTATE classes for a broken or closing connection, and the
// socket errors of a server that is down. The API answers these with 503, not 500.
import { Prisma } from '@prisma/client';

/** Prisma: can't reach (P1001), timed out reaching (P1002), timed out (P1008), connection closed (P1017). */
const prismaConnectionCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
/**
 * SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or
 * shutting down), and class 08 connection_exception (PostgreSQL Appendix A).
 */
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03']);
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT']);

function sqlStateUnavailable(code: unknown): boolean {
  return typeof code === 'string' && (unavailableSqlStates.has(code) || code.startsWith('08'));
}

/**
 * The driver adapter's own error, thrown as is (not wrapped in a known request error) when a
 * query meets a connection the server ended, e.g. a backend of a primary whose postmaster was
 * killed: "terminating connection due to unexpected postmaster exit" (57P01). Its cause is
 * @prisma/adapter-pg's mapping of the pg error: a SQLSTATE, or a kind for socket errors.
 */
const adapterUnavailableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
function driverAdapterUnavailable(err: unknown): boolean {
  const e = err as { name?: unknown; cause?: { kind?: unknown; originalCode?: unknown } } | null;
  if (!e || typeof e !== 'object' || e.name !== 'DriverAdapterError') return false;
  return adapterUnavailableKinds.has(e.cause?.kind as string) || sqlStateUnavailable(e.cause?.originalCode);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (prismaConnectionCodes.has(err.code)) return true;
    // A driver error that carries no server message keeps the code we gave it
    // (connection-loss.ts: 08001 / 08006); Prisma's own codes are P####, never class 08.
    if (sqlStateUnavailable(err.code)) return true;
    const cause = (err.meta as { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } | undefined)?.driverAdapterError?.cause;
    return sqlStateUnavailable(cause?.originalCode);
  }
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (driverAdapterUnavailable(err)) return true;
  const e = err as { code?: unknown; syscall?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (sqlStateUnavailable(e.code)) return true;
  // A socket error of the connection itself (syscall set by Node's net module).
  return typeof e.syscall === 'string' && typeof e.code === 'string' && socketCodes.has(e.code);
}
