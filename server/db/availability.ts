// Whether the web process can reach PostgreSQL right now, checked on one held connection every
// few seconds (every second while it is away). The web process answers 503 from this while
// the database is away (server/api/database-gate.ts) and passes requests on again as soon as a
// check succeeds: no restart needed after an outage.
import pg from 'pg';

export interface DatabaseStatus {
  state: 'up' | 'down';
  /** ISO time of the last change of state (or of the first check). */
  since: string;
  /** Why it is down: the driver's message, e.g. "connect ECONNREFUSED 127.0.0.1:54329". */
  reason: string | null;
  checkedAt: string;
}

export interface DatabaseWatchOptions {
  databaseUrl: string;
  upIntervalMs?: number;
  downIntervalMs?: number;
  /** A check that takes longer than this counts as a failure (a cut link hangs rather than refuses). */
  checkTimeoutMs?: number;
  log?: (line: string) => void;
}

export class DatabaseWatch {
  private client: pg.Client | null = null;
  private current: DatabaseStatus;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<DatabaseStatus> | null = null;
  private stopped = false;

  constructor(private readonly opts: DatabaseWatchOptions) {
    const now = new Date().toISOString();
    // Optimistic until the first check: a request then meets the real error, mapped to 503.
    this.current = { state: 'up', since: now, reason: null, checkedAt: now };
  }

  status(): DatabaseStatus {
    return this.current;
  }

  /** First check (awaited), then one every upIntervalMs / downIntervalMs. */
  async start(): Promise<void> {
    await this.check();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const ms = this.current.state === 'up' ? this.opts.upIntervalMs ?? 3000 : this.opts.downIntervalMs ?? 1000;
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), ms);
    this.timer.unref();
  }

  /** One check now (concurrent callers share it). */
  check(): Promise<DatabaseStatus> {
    this.checking ??= this.checkOnce().finally(() => { this.checking = null; });
    return this.checking;
  }

  private async checkOnce(): Promise<DatabaseStatus> {
    const timeoutMs = this.opts.checkTimeoutMs ?? 3000;
    let reason: string | null = null;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.opts.databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
        client.on('error', () => { if (this.client === client) this.client = null; });
        client.on('end', () => { if (this.client === client) this.client = null; });
        this.client = client;
        await client.connect();
      }
      await this.client.query('SELECT 1');
    } catch (err) {
      reason = (err as Error).message || String(err);
      const broken = this.client;
      this.client = null;
      await broken?.end().catch(() => undefined);
    }
    const now = new Date().toISOString();
    const state = reason === null ? 'up' : 'down';
    if (state !== this.current.state) {
      this.opts.log?.(state === 'down' ? `database not reachable (${reason}): answering 503 until it is back` : 'database reachable again');
      this.current = { state, since: now, reason, checkedAt: now };
    } else {
      this.current = { ...this.current, reason, checkedAt: now };
    }
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.checking;
    await this.client?.end().catch(() => undefined);
  }
}
