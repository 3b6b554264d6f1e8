// A connection cut under a query without a word from the server (what HAProxy does to the
// sessions of a primary that failed over): the query's error carries SQLSTATE 08006 and is
// "the database is away" (503), while a query the server refuses keeps its own code.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ConnectionLossAwareClient, connectFailedSqlState, connectionLostSqlState } from '../connection-loss.ts';
import { createTestDatabase, type TestDatabase } from '../testing.ts';
import { isDatabaseUnavailable } from '../unavailable.ts';

let database: TestDatabase;
before(async () => { database = await createTestDatabase('connection_loss'); });
after(async () => { await database.drop(); });

/** A TCP relay on loopback to the test database whose connections the test can cut. */
async function startRelay(target: URL): Promise<{ port: number; cutAll(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const socketPath = target.searchParams.get('host');
  const server = net.createServer((client) => {
    const upstream = socketPath ? net.connect(`${socketPath}/.s.PGSQL.${target.port || 5432}`) : net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => { client.destroy(); upstream.destroy(); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cutAll: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise((resolve) => { sockets.forEach((s) => s.destroy()); server.close(() => resolve()); }),
  };
}

test('a query whose connection is cut fails with SQLSTATE 08006, recognised as the database away', async () => {
  const target = new URL(database.url);
  const relay = await startRelay(target);
  const client = new ConnectionLossAwareClient({
    host: '127.0.0.1', port: relay.port, user: decodeURIComponent(target.username), password: decodeURIComponent(target.password), database: database.name,
  });
  try {
    await client.connect();
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    const slow = client.query('SELECT pg_sleep(30)');
    setTimeout(() => relay.cutAll(), 200);
    const err = await slow.then(() => null, (e: unknown) => e as Error & { code?: string });
    assert.ok(err, 'the query failed');
    assert.equal(err.code, connectionLostSqlState);
    assert.equal(isDatabaseUnavailable(err), true);
  } finally {
    await client.end().catch(() => undefined);
    await relay.close();
  }
});

test('a connect that a proxy accepts and closes (HAProxy with no primary) fails with SQLSTATE 08001, through a pool too', async () => {
  const closer = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
  const port = (closer.address() as net.AddressInfo).port;
  const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'nobody', database: 'nothing', Client: ConnectionLossAwareClient });
  pool.on('error', () => undefined);
  try {
    const direct = await new ConnectionLossAwareClient({ host: '127.0.0.1', port, user: 'nobody', database: 'nothing' }).connect().then(() => null, (e: unknown) => e as Error & { code?: string });
    assert.equal(direct?.code, connectFailedSqlState);
    const pooled = await pool.connect().then(() => null, (e: unknown) => e as Error & { code?: string });
    assert.equal(pooled?.code, connectFailedSqlState, 'pg-pool connects with a callback');
    assert.equal(isDatabaseUnavailable(pooled), true);
  } finally {
    await pool.end();
    await new Promise((resolve) => closer.close(resolve));
  }
});

test('an error the server names keeps its own SQLSTATE', async () => {
  const client = new ConnectionLossAwareClient(database.url);
  await client.connect();
  try {
    const err = await client.query('SELECT * FROM no_such_table').then(() => null, (e: unknown) => e as Error & { code?: string });
    assert.equal(err?.code, '42P01');
    assert.equal(isDatabaseUnavailable(err), false);
  } finally {
    await client.end();
  }
});
