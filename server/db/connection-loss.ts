// node-postgres reports a connection the server side closed (a primary killed during a Patroni
// failover, HAProxy cutting the sessions of a demoted node or closing a new one it has no
// primary for) as a bare Error "Connection terminated unexpectedly", and a connect that timed
// out as "timeout expired": no code. To answer 503 for these by code, never by message text,
// this client gives them the SQLSTATE a libpq client would report (PostgreSQL Appendix A):
// - during connect: 08001 sqlclient_unable_to_establish_sqlconnection;
// - after: 08006 connection_failure. node-postgres emits the error on the client ('error')
//   synchronously, before it rejects the cut queries (next tick), so the code is on the same
//   error object when the query's caller sees it.
import pg from 'pg';

export const connectFailedSqlState = '08001';
export const connectionLostSqlState = '08006';

type CodedError = Error & { code?: string };

function withCode(err: CodedError, code: string): CodedError {
  if (err instanceof Error && err.code === undefined) err.code = code;
  return err;
}

export class ConnectionLossAwareClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (err: CodedError) => withCode(err, connectionLostSqlState));
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    // pg-pool connects with a callback (err null on success), others with the promise.
    if (callback) return super.connect((err: Error | null) => (callback as (e: Error | null) => void)(err && withCode(err, connectFailedSqlState)));
    return super.connect().catch((err: CodedError) => { throw withCode(err, connectFailedSqlState); });
  }
}
