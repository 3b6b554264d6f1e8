// DHCPv6 leases (IA_NA) in PostgreSQL's "Lease6" table: the only code in bootd that speaks SQL
// about them. Every lease is loaded into memory at start, so lookups on the reply path never
// wait; a binding is committed before its Reply (a Reply names an address the client will use:
// kill -9 after it must not lose it). One row per (network, DUID, IAID); UNIQUE(network, address)
// is the guard between several bootd: a binding that collides there is "taken".
import type pg from 'pg';
import type { Logger } from '../bootd-context.ts';
import { checkOut } from './transaction.ts';

export type Lease6State = 'bound' | 'released' | 'declined' | 'expired';

export interface Lease6Record {
  networkId: string;
  address: string;
  /** The client's DUID, hex (RFC 8415 §11). */
  duid: string;
  /** RFC 8415 §21.4: the IA's id, unsigned 32-bit. */
  iaid: number;
  mac: string | null;
  state: Lease6State;
  expiresAtMs: number;
}

export type Bind6Result = { kind: 'bound'; lease: Lease6Record } | { kind: 'taken' } | { kind: 'unavailable'; error: string };

/** What the DHCPv6 policy needs of a lease store (tests give it an in-memory one). */
export interface Dhcp6LeaseStore {
  findLease(networkId: string, duid: string, iaid: number): Lease6Record | null;
  findLeaseByAddress(networkId: string, address: string): Lease6Record | null;
  /** Writes (or moves) the client's binding and commits it; resolves once durable. */
  bind(lease: Omit<Lease6Record, 'state'>): Promise<Bind6Result>;
  /** RFC 8415 §18.3.7 / §18.3.8: the client gave the address back, or found it in use. Written in the background. */
  markLease(networkId: string, duid: string, iaid: number, address: string, state: 'released' | 'declined', nowMs: number): void;
  close(): Promise<void>;
}

/** Postgres unique_violation (SQLSTATE 23505): matched by code, never by message text. */
const uniqueViolation = '23505';
/** "expiresAt" is TIMESTAMP(3) without zone, in UTC: converted explicitly both ways. */
const nowUtc = `(now() AT TIME ZONE 'UTC')`;
/** RFC 8415 §18.3.8: a declined address stays out of the pool this long. */
export const declineProbationSeconds = 3600;

const selectSql = `SELECT "networkId", address, duid, iaid::text AS iaid, mac, state::text AS state,
  (extract(epoch FROM "expiresAt" AT TIME ZONE 'UTC') * 1000)::bigint::text AS "expiresAtMs" FROM "Lease6"`;

const reclaimSql = `DELETE FROM "Lease6" WHERE "networkId" = $1 AND address = $2 AND NOT (duid = $3 AND iaid = $4)
  AND ("expiresAt" <= ${nowUtc} OR state IN ('released', 'expired'))`;

const upsertSql = `INSERT INTO "Lease6" (id, "networkId", address, duid, iaid, mac, state, "expiresAt", "updatedAt")
  VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'bound', (to_timestamp($6 / 1000.0) AT TIME ZONE 'UTC'), ${nowUtc})
  ON CONFLICT ("networkId", duid, iaid) DO UPDATE SET address = EXCLUDED.address, mac = EXCLUDED.mac, state = 'bound',
    "expiresAt" = EXCLUDED."expiresAt", "updatedAt" = EXCLUDED."updatedAt"`;

const markSql = `UPDATE "Lease6" SET state = $5::"LeaseState", "expiresAt" = (to_timestamp($6 / 1000.0) AT TIME ZONE 'UTC'), "updatedAt" = ${nowUtc}
  WHERE "networkId" = $1 AND duid = $2 AND iaid = $3 AND address = $4`;

interface Row { networkId: string; address: string; duid: string; iaid: string; mac: string | null; state: Lease6State; expiresAtMs: string }

const identityKey = (networkId: string, duid: string, iaid: number) => `${networkId} ${duid} ${iaid}`;
const addressKey = (networkId: string, address: string) => `${networkId} ${address}`;

export class PgDhcp6LeaseStore implements Dhcp6LeaseStore {
  private readonly byIdentity = new Map<string, Lease6Record>();
  private readonly byAddress = new Map<string, Lease6Record>();
  private readonly background = new Set<Promise<unknown>>();

  private constructor(private readonly pool: pg.Pool, private readonly log: Logger) {}

  /** Loads every lease; DHCPv6 answers only after this. */
  static async open(pool: pg.Pool, log: Logger): Promise<PgDhcp6LeaseStore> {
    const store = new PgDhcp6LeaseStore(pool, log);
    const rows = await pool.query<Row>(selectSql);
    for (const r of rows.rows) {
      store.remember({ networkId: r.networkId, address: r.address, duid: r.duid, iaid: Number(r.iaid), mac: r.mac, state: r.state, expiresAtMs: Number(r.expiresAtMs) });
    }
    return store;
  }

  get size(): number {
    return this.byIdentity.size;
  }

  findLease(networkId: string, duid: string, iaid: number): Lease6Record | null {
    return this.byIdentity.get(identityKey(networkId, duid, iaid)) ?? null;
  }

  findLeaseByAddress(networkId: string, address: string): Lease6Record | null {
    return this.byAddress.get(addressKey(networkId, address)) ?? null;
  }

  async bind(lease: Omit<Lease6Record, 'state'>): Promise<Bind6Result> {
    const out = await checkOut(this.pool).catch((err: Error) => err);
    if (out instanceof Error) return { kind: 'unavailable', error: out.message };
    const { client, release } = out;
    try {
      await client.query('BEGIN');
      // Another client's expired or released row on the address gives way in the same transaction.
      await client.query(reclaimSql, [lease.networkId, lease.address, lease.duid, lease.iaid]);
      await client.query(upsertSql, [lease.networkId, lease.address, lease.duid, lease.iaid, lease.mac, lease.expiresAtMs]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === uniqueViolation) return { kind: 'taken' };
      this.log.warn('DHCPv6 lease not written', { error: (err as Error).message });
      return { kind: 'unavailable', error: (err as Error).message };
    } finally {
      release();
    }
    const bound: Lease6Record = { ...lease, state: 'bound' };
    this.remember(bound);
    return { kind: 'bound', lease: bound };
  }

  markLease(networkId: string, duid: string, iaid: number, address: string, state: 'released' | 'declined', nowMs: number): void {
    const current = this.findLease(networkId, duid, iaid);
    if (!current || current.address !== address) return;
    // A declined address is kept out of the pool for a while (someone else uses it); a released one is free at once.
    const expiresAtMs = state === 'declined' ? nowMs + declineProbationSeconds * 1000 : nowMs;
    this.remember({ ...current, state, expiresAtMs });
    const write = this.pool.query(markSql, [networkId, duid, iaid, address, state, expiresAtMs])
      .catch((err: Error) => this.log.warn('DHCPv6 lease state not written', { state, address, error: err.message }))
      .finally(() => this.background.delete(write));
    this.background.add(write);
  }

  private remember(lease: Lease6Record): void {
    const key = identityKey(lease.networkId, lease.duid, lease.iaid);
    const old = this.byIdentity.get(key);
    if (old && old.address !== lease.address) {
      const oldKey = addressKey(old.networkId, old.address);
      if (this.byAddress.get(oldKey) === old) this.byAddress.delete(oldKey);
    }
    this.byIdentity.set(key, lease);
    const holder = this.byAddress.get(addressKey(lease.networkId, lease.address));
    // The address moved to this client: the previous holder's row was reclaimed in the database.
    if (holder && holder !== old) this.byIdentity.delete(identityKey(holder.networkId, holder.duid, holder.iaid));
    this.byAddress.set(addressKey(lease.networkId, lease.address), lease);
  }

  async close(): Promise<void> {
    await Promise.all([...this.background]);
  }
}
