// What the boot agent API asks PostgreSQL (agent/boot-api.ts): whether a pool address is leased
// to a MAC now, which MAC a host is booting or up as, and the one-shot overrides to clear once
// a host is up. Everything else the API answers from bootd's view.
import type pg from 'pg';

/** The agent API's checks of a request's speaker (agent/boot-api.ts says when each is asked). */
export interface AgentChecks {
  /** Is `ip` leased to `mac` right now? (pool clients; reserved hosts are checked in the view) */
  leaseHeld(mac: string, ip: string): Promise<boolean>;
  /** The MAC a host is booting or up as right now (state booting/up: its latest boot session's MAC), else null. */
  hostRunningAs(hostId: string): Promise<string | null>;
}

/** agent/one-shot-override.ts's batched write. */
export interface OneShotOverrideTable {
  /** Clears the hosts' one-shot boot overrides; returns how many hosts had one. */
  clearOneShotOverrides(hostIds: string[]): Promise<number>;
}

export class AgentRecords implements AgentChecks, OneShotOverrideTable {
  constructor(private readonly pool: pg.Pool) {}

  async leaseHeld(mac: string, ip: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM "Lease" WHERE mac = $1 AND ip = $2 AND state = 'bound' AND "expiresAt" > now() LIMIT 1`, [mac, ip]);
    return (r.rowCount ?? 0) > 0;
  }

  async hostRunningAs(hostId: string): Promise<string | null> {
    const r = await this.pool.query<{ mac: string | null }>(
      `SELECT COALESCE(s.mac, h.mac) AS mac FROM "Host" h
       LEFT JOIN LATERAL (SELECT b.mac FROM "BootSession" b WHERE b."hostId" = h.id ORDER BY b."startedAt" DESC LIMIT 1) s ON true
       WHERE h.id = $1 AND h.state IN ('booting', 'up')`,
      [hostId],
    );
    return r.rows[0]?.mac ?? null;
  }

  async clearOneShotOverrides(hostIds: string[]): Promise<number> {
    // A one-shot image override names its image in imageOverrideId: it goes with it. A
    // standing image override (bootOverride NULL) is left alone.
    const r = await this.pool.query(
      `UPDATE "Host" SET "bootOverride" = NULL,
         "imageOverrideId" = CASE WHEN "bootOverride" = 'image' THEN NULL ELSE "imageOverrideId" END
       WHERE id = ANY($1::uuid[]) AND "bootOverride" IS NOT NULL`,
      [hostIds],
    );
    return r.rowCount ?? 0;
  }
}
