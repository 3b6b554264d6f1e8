// bootd's row in the boot server registry ("BootServer", DESIGN.md "bootd on its own machine"):
// registration at start, heartbeats, the clean-stop mark. The credential is proven by its
// sha256 (lib/node/secret-hash.ts, the hash the console stored when it made the boot server), so the
// registry works whenever PostgreSQL does, with or without the web process. Times are now().
import type pg from 'pg';

export interface BootServerReport {
  version: string;
  addresses: string[];
  statusUrl: string;
  networksServed: string[];
  viewSeq: bigint;
  viewLive: boolean;
  artifactsNeeded: number;
  artifactsSynced: number;
  spoolDepth: number;
  cacheBytes: number;
  cacheState: Record<string, unknown>;
}

/** ok, or why the registry refused: no boot server by that name and credential, or it is revoked. */
export type HeartbeatResult = 'ok' | 'unknown' | 'revoked';

const heartbeatSql = `
  UPDATE "BootServer" SET version = $3, addresses = $4::text[], "statusUrl" = $5, "networksServed" = $6::text[],
    "viewSeq" = $7::bigint, "viewLive" = $8, "artifactsNeeded" = $9, "artifactsSynced" = $10, "spoolDepth" = $11,
    "cacheBytes" = $12::bigint, "cacheState" = $13::jsonb, "lastHeartbeatAt" = now(), "stoppedAt" = NULL,
    "startedAt" = CASE WHEN $14::boolean THEN now() ELSE "startedAt" END
  WHERE name = $1 AND "credentialHash" = $2 AND "revokedAt" IS NULL
  RETURNING id`;

export class BootServerStore {
  constructor(private readonly pool: pg.Pool, private readonly name: string, private readonly credentialHash: string) {}

  /** Writes the report; `starting` marks a (re)start. */
  async heartbeat(report: BootServerReport, starting: boolean): Promise<HeartbeatResult> {
    const updated = await this.pool.query(heartbeatSql, [
      this.name, this.credentialHash, report.version, report.addresses, report.statusUrl, report.networksServed,
      report.viewSeq.toString(), report.viewLive, report.artifactsNeeded, report.artifactsSynced, report.spoolDepth,
      Math.round(report.cacheBytes), JSON.stringify(report.cacheState), starting,
    ]);
    if (updated.rowCount) return 'ok';
    const found = await this.pool.query<{ revoked: boolean }>(
      'SELECT "revokedAt" IS NOT NULL AS revoked FROM "BootServer" WHERE name = $1 AND "credentialHash" = $2', [this.name, this.credentialHash]);
    return found.rows[0]?.revoked ? 'revoked' : 'unknown';
  }

  /** A clean shutdown: the console shows it stopped at once instead of after missed heartbeats. */
  async markStopped(): Promise<void> {
    await this.pool.query('UPDATE "BootServer" SET "stoppedAt" = now() WHERE name = $1 AND "credentialHash" = $2', [this.name, this.credentialHash]);
  }
}
