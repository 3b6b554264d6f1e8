// The "BootdPeer" table: each bootd's DHCP heartbeat (dhcp/peer-heartbeat.ts says why through
// PostgreSQL), written and read in one round trip. Every time is the database's clock (now()).
import type pg from 'pg';

/** A peer's row as this bootd's heartbeat reads it: how long it has been silent, by the database's clock. */
export interface PeerRow { id: string; serverAddress: string; silentMs: number; stopped: boolean }

export interface Heartbeat {
  bootdId: string;
  serverAddress: string;
  /** The boot network this bootd serves (peer discovery); null: none. */
  networkId: string | null;
  /** The first heartbeat since start: the row's startedAt becomes now. */
  first: boolean;
  /** FLEETBOOT_DHCP_PEERS; empty: the peers are the other rows on the same network. */
  peers: string[];
}

const heartbeatSql = `
  WITH me AS (
    INSERT INTO "BootdPeer" (id, "serverAddress", "networkId", "startedAt", "lastHeartbeatAt", "stoppedAt")
    VALUES ($1, $2, $3::uuid, now(), now(), NULL)
    ON CONFLICT (id) DO UPDATE SET "serverAddress" = EXCLUDED."serverAddress", "networkId" = EXCLUDED."networkId",
      "lastHeartbeatAt" = now(), "stoppedAt" = NULL,
      "startedAt" = CASE WHEN $4::boolean THEN now() ELSE "BootdPeer"."startedAt" END
    RETURNING id)
  SELECT p.id, p."serverAddress", (extract(epoch FROM now() - p."lastHeartbeatAt") * 1000)::float8 AS "silentMs",
         p."stoppedAt" IS NOT NULL AS stopped
  FROM "BootdPeer" p
  WHERE p.id <> $1 AND (p.id = ANY($5::text[]) OR (cardinality($5::text[]) = 0 AND p."networkId" IS NOT DISTINCT FROM $3::uuid))`;

export class BootdPeerTable {
  constructor(private readonly pool: pg.Pool) {}

  /** Writes our heartbeat and reads the peers' rows. */
  async beat(h: Heartbeat): Promise<PeerRow[]> {
    const r = await this.pool.query<PeerRow>(heartbeatSql, [h.bootdId, h.serverAddress, h.networkId, h.first, h.peers]);
    return r.rows;
  }

  /** A clean stop: the peer takes over at once instead of waiting for missed heartbeats. */
  async markStopped(bootdId: string): Promise<void> {
    await this.pool.query(`UPDATE "BootdPeer" SET "stoppedAt" = now() WHERE id = $1`, [bootdId]);
  }
}
