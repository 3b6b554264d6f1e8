// DHCPv4 pool leases in the "Lease" table: the SQL behind dhcp/pg-lease-store.ts, which keeps
// the in-memory LeaseBook and decides what to write. UNIQUE(networkId, ip) is the guard between
// several bootd: a write that collides there comes back as 'address-taken', never as an error.
import type pg from 'pg';
import { inTransaction } from './transaction.ts';

/** Postgres unique_violation (SQLSTATE 23505): matched by code, never by message text. */
const uniqueViolation = '23505';
/** "expiresAt" is TIMESTAMP(3) without zone, written by Prisma in UTC: convert explicitly both ways. */
const nowUtc = `(now() AT TIME ZONE 'UTC')`;
const epochMsToUtc = (param: string) => `(to_timestamp(${param} / 1000.0) AT TIME ZONE 'UTC')`;

export type LeaseState = 'offered' | 'bound' | 'released' | 'declined' | 'expired';

export interface LeaseRecord {
  networkId: string;
  ip: string;
  /** The client's MAC; for a quarantined address, the MAC that declined it. */
  mac: string;
  state: LeaseState;
  expiresAtMs: number;
  clientId: string | null;
  hostname: string | null;
}

/** A lease as read back, with the database's "updatedAt" (text, UTC) the incremental read follows. */
export interface StoredLease {
  record: LeaseRecord;
  updatedAt: string;
}

/** One binding to commit; `reclaim`: another MAC's expired or released row on the address goes in the same transaction. */
export interface LeaseBinding {
  networkId: string;
  ip: string;
  mac: string;
  expiresAtMs: number;
  clientId: string | null;
  hostname: string | null;
  reclaim: boolean;
}

interface LeaseRow { networkId: string; ip: string; mac: string; state: LeaseState; expiresAtMs: string; clientId: string | null; hostname: string | null; updatedAt: string }

const leaseColumns = `"networkId", ip, mac, state, (extract(epoch FROM "expiresAt" AT TIME ZONE 'UTC') * 1000)::bigint::text AS "expiresAtMs",
  "clientId", hostname, "updatedAt"::text AS "updatedAt"`;

const upsertSql = `
  INSERT INTO "Lease" (id, "networkId", ip, mac, state, "expiresAt", "clientId", hostname, "updatedAt")
  SELECT gen_random_uuid(), t.n, t.i, t.m, 'bound', ${epochMsToUtc('t.e')}, t.c, t.h, ${nowUtc}
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[]) AS t(n, i, m, e, c, h)
  ON CONFLICT ("networkId", mac) WHERE state <> 'declined' DO UPDATE SET ip = EXCLUDED.ip, state = 'bound', "expiresAt" = EXCLUDED."expiresAt",
    "clientId" = EXCLUDED."clientId", hostname = EXCLUDED.hostname, "updatedAt" = EXCLUDED."updatedAt"`;

const reclaimSql = `
  DELETE FROM "Lease" l USING unnest($1::uuid[], $2::text[], $3::text[]) AS t(n, i, m)
  WHERE l."networkId" = t.n AND l.ip = t.i AND (l.mac <> t.m OR l.state = 'declined')
    AND (l."expiresAt" <= ${nowUtc} OR l.state IN ('released', 'expired'))`;

const releaseSql = `UPDATE "Lease" SET state = 'released', "expiresAt" = ${epochMsToUtc('$4')}, "updatedAt" = ${nowUtc}
  WHERE "networkId" = $1 AND mac = $2 AND ip = $3 AND state <> 'declined'`;

// RFC 2131 §4.3.3: the row of the address, whoever held it, becomes the decliner's quarantine.
// The partial unique index on (networkId, mac) leaves declined rows out, so the MAC's own next
// lease elsewhere in the pool doesn't collide with it.
const declineSql = `INSERT INTO "Lease" (id, "networkId", ip, mac, state, "expiresAt", "updatedAt")
  VALUES (gen_random_uuid(), $1, $2, $3, 'declined', ${epochMsToUtc('$4')}, ${nowUtc})
  ON CONFLICT ("networkId", ip) DO UPDATE SET mac = EXCLUDED.mac, state = 'declined', "expiresAt" = EXCLUDED."expiresAt",
    "clientId" = NULL, hostname = NULL, "updatedAt" = EXCLUDED."updatedAt"`;

export class LeaseTable {
  constructor(private readonly pool: pg.Pool) {}

  /** Every lease of one network, or of all (null). */
  async readAll(networkId: string | null): Promise<StoredLease[]> {
    const rows = await this.pool.query<LeaseRow>(
      `SELECT ${leaseColumns} FROM "Lease" ${networkId ? 'WHERE "networkId" = $1' : ''}`,
      networkId ? [networkId] : [],
    );
    return rows.rows.map(toStored);
  }

  /** Rows stamped at or after `fromUpdatedAt` less `overlapSeconds`, oldest first, at most `limit`. */
  async readChangedSince(fromUpdatedAt: string, overlapSeconds: number, limit: number): Promise<StoredLease[]> {
    const rows = await this.pool.query<LeaseRow>({
      name: 'fleetboot-lease-refresh',
      text: `SELECT ${leaseColumns} FROM "Lease" WHERE "updatedAt" >= $1::timestamp - $2::interval ORDER BY "updatedAt" LIMIT $3`,
      values: [fromUpdatedAt, `${overlapSeconds} seconds`, limit],
    });
    return rows.rows.map(toStored);
  }

  /**
   * Commits the bindings in one transaction (one statement when nothing is reclaimed), before
   * their ACKs go out. 'address-taken': an address collided with a row this write didn't
   * delete (another bootd's lease), and nothing was written.
   */
  async writeBindings(bindings: LeaseBinding[]): Promise<'written' | 'address-taken'> {
    try {
      await this.upsert(bindings);
      return 'written';
    } catch (err) {
      if ((err as { code?: string }).code === uniqueViolation) return 'address-taken';
      throw err;
    }
  }

  private async upsert(bindings: LeaseBinding[]): Promise<void> {
    const values = [
      bindings.map((b) => b.networkId), bindings.map((b) => b.ip), bindings.map((b) => b.mac),
      bindings.map((b) => b.expiresAtMs), bindings.map((b) => b.clientId), bindings.map((b) => b.hostname),
    ];
    const reclaims = bindings.filter((b) => b.reclaim);
    if (reclaims.length === 0) {
      // One statement, its own transaction: committed (and fsynced) before the ACK goes out.
      // Named: each connection parses and plans it once, not once per batch.
      await this.pool.query({ name: 'fleetboot-lease-upsert', text: upsertSql, values });
      return;
    }
    await inTransaction(this.pool, async (client) => {
      await client.query('BEGIN');
      await client.query(reclaimSql, [reclaims.map((r) => r.networkId), reclaims.map((r) => r.ip), reclaims.map((r) => r.mac)]);
      await client.query(upsertSql, values);
    });
  }

  async release(networkId: string, mac: string, ip: string, nowMs: number): Promise<void> {
    await this.pool.query(releaseSql, [networkId, mac, ip, nowMs]);
  }

  async decline(networkId: string, mac: string, ip: string, expiresAtMs: number): Promise<void> {
    await this.pool.query(declineSql, [networkId, ip, mac, expiresAtMs]);
  }
}

function toStored(r: LeaseRow): StoredLease {
  return {
    record: { networkId: r.networkId, ip: r.ip, mac: r.mac, state: r.state, expiresAtMs: Number(r.expiresAtMs), clientId: r.clientId, hostname: r.hostname },
    updatedAt: r.updatedAt,
  };
}
