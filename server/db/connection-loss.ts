// node-postgres reports a connection the server side closed under a query (a primary killed
// during a Patroni failover, HAProxy cutting the sessions of a demoted node) as a bare Error
// "Connection terminated unexpectedly", with no code. To answer 503 for it by code, never by
// message text, this client marks the error it emits for that loss: node-postgres emits it
// on the client ('error') synchronously, before it rejects the queries it cut (next tick), so
// the mark is there when the query's caller sees the same error object.
import pg from 'pg';

/** SQLSTATE 08006 connection_failure (PostgreSQL Appendix A), for a loss the server never named. */
export const connectionLostSqlState = '08006';

export class ConnectionLossAwareClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (err: Error & { code?: string }) => {
      if (err.code === undefined) err.code = connectionLostSqlState;
    });
  }
}
