// How web and bootd connect to PostgreSQL (one setting for both processes). A database on
// another machine may be behind a cut link that drops packets rather than refusing them: a
// connection attempt gives up after this long (the caller answers 503, or spools and retries),
// and TCP keepalives find a dead established connection. Through HAProxy in front of Patroni
// (deploy/patroni/) a new connection reaches whichever node is the primary now.
export const databaseConnectionOptions = { connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;
