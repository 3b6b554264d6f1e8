// Which errors mean "the database is away" (503) and which are the request's own (4xx/500).
// The driver adapter's error class is @prisma/adapter-pg's own, with the payloads it builds
// from node-postgres errors (seen in the Patroni failover test: a primary's postmaster killed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Prisma } from '@prisma/client';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { isDatabaseUnavailable } from './unavailable.ts';

test('a backend cut by its postmaster dying (57P01 through the driver adapter) is the database away', () => {
  const err = new DriverAdapterError({
    kind: 'postgres', originalCode: '57P01', originalMessage: 'terminating connection due to unexpected postmaster exit',
    code: '57P01', severity: 'FATAL', message: 'terminating connection due to unexpected postmaster exit', detail: undefined, column: undefined, hint: undefined,
  });
  assert.equal(isDatabaseUnavailable(err), true);
});

test('socket errors the driver adapter maps (refused, reset, timed out) are the database away', () => {
  assert.equal(isDatabaseUnavailable(new DriverAdapterError({ kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 })), true);
  assert.equal(isDatabaseUnavailable(new DriverAdapterError({ kind: 'ConnectionClosed' })), true);
  assert.equal(isDatabaseUnavailable(new DriverAdapterError({ kind: 'SocketTimeout' })), true);
});

test('a constraint or a syntax error through the driver adapter is not the database away', () => {
  assert.equal(isDatabaseUnavailable(new DriverAdapterError({ kind: 'UniqueConstraintViolation', constraint: { fields: ['hostname'] } })), false);
  assert.equal(isDatabaseUnavailable(new DriverAdapterError({
    kind: 'postgres', originalCode: '42601', originalMessage: 'syntax error', code: '42601', severity: 'ERROR', message: 'syntax error', detail: undefined, column: undefined, hint: undefined,
  })), false);
  assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), false, 'no code: not recognised by message text');
});

test('a connection lost or refused that Prisma wraps keeps its SQLSTATE and is the database away', () => {
  const wrapped = (code: string) => new Prisma.PrismaClientKnownRequestError('Connection terminated unexpectedly', { code, clientVersion: '6.19.3' });
  assert.equal(isDatabaseUnavailable(wrapped('08001')), true);
  assert.equal(isDatabaseUnavailable(wrapped('08006')), true);
  assert.equal(isDatabaseUnavailable(wrapped('P2002')), false, 'a unique violation is the request\'s own');
});
