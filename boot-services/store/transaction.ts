// One client of the pool for a transaction the work opens itself (BEGIN, alone or leading a
// multi-statement query): committed when the work returns, rolled back when it throws (the
// error goes on to the caller), and the client always goes back to the pool, or is thrown away
// when even its ROLLBACK failed (a dead connection, or one whose query timed out: reused, it
// would answer the next caller with the stuck query's reply, or never).
import type pg from 'pg';

/**
 * A pool client for work of its own, guarded: pg-pool takes its error listener off a client it
 * hands out, so a connection that dies while checked out (the primary's kill -9 in a
 * failover, a switchover's cut) emitted 'error' with no listener and ended bootd (found by the
 * Patroni DHCP storm, patroni-bootd.test.ts). The query in flight fails with that error; the
 * client is thrown away on release.
 */
export async function checkOut(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (broken?: boolean) => void }> {
  const client = await pool.connect();
  let died = false;
  const onError = () => { died = true; };
  client.on('error', onError);
  return { client, release: (broken = false) => { client.off('error', onError); client.release(broken || died); } };
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkOut(pool);
  let broken = false;
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => { broken = true; });
    throw err;
  } finally {
    release(broken);
  }
}
