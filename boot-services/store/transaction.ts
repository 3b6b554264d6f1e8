// One client of the pool for a transaction the work opens itself (BEGIN, alone or leading a
// multi-statement query): committed when the work returns, rolled back when it throws (the
// error goes on to the caller), and the client always goes back to the pool, or is thrown away
// when even its ROLLBACK failed (a dead connection, or one whose query timed out: reused, it
// would answer the next caller with the stuck query's reply, or never).
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => { broken = true; });
    throw err;
  } finally {
    client.release(broken);
  }
}
