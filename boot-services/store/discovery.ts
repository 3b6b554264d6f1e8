// bootd's writes of "DiscoveredMachine" (DESIGN.md "Identity"): the MACs DHCP saw that no host
// has (dhcp/discovery-writer.ts batches them), and the facts a machine's boot agent reports,
// with the automatic claim: when the machine's serial or asset tag names exactly one host
// registered without a MAC, that host takes the MAC at once, by the claim rule the console uses
// (lib/discovery-claim.ts) and with the same audit row. The Host update goes through the change
// log trigger, so every bootd's view learns the MAC and the waiting agent is known on its next
// identity poll.
import type pg from 'pg';
import { auditable } from '../../lib/audit-row.ts';
import { inTransaction } from './transaction.ts';
import { claimRefusal, identityAfterClaim, usableIdentifier } from '../../lib/discovery-claim.ts';

/** Unknown MACs DHCP saw, one entry per MAC, as parallel columns (one statement writes them all). */
export interface Sightings {
  macs: string[];
  networkIds: string[];
  /** The address last ACKed, or null (the row keeps its old one). */
  ips: Array<string | null>;
  seenAtMs: number[];
}

/** Where dhcp/discovery-writer.ts writes its batches. */
export interface SightingsTable {
  writeSightings(batch: Sightings): Promise<void>;
}

export interface AgentDiscovery {
  mac: string;
  ip: string;
  networkId: string | null;
  /** The agent's facts (agent/agent-requests.ts discoveryFacts), kept as they came. */
  facts: { serial?: string; assetTag?: string } & Record<string, unknown>;
}

export interface DiscoveryResult {
  matched: { id: string; hostname: string; by: 'serial' | 'assetTag' } | null;
  /** More than one registered host carries this serial/asset tag: left for an operator. */
  ambiguous: boolean;
}

/** Where the boot agent API records what a machine reported. */
export interface DiscoverySink {
  recordAgentDiscovery(input: AgentDiscovery): Promise<DiscoveryResult>;
}

// Timestamps as Prisma writes them: TIMESTAMP(3) without zone, in UTC.
const sightingsSql = `
  INSERT INTO "DiscoveredMachine" (mac, "networkId", ip, "firstSeenAt", "lastSeenAt")
  SELECT t.m, n.id, t.i, s.at, s.at
  FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[]) AS t(m, n, i, e)
  CROSS JOIN LATERAL (SELECT to_timestamp(t.e / 1000.0) AT TIME ZONE 'UTC' AS at) s
  -- A network deleted meanwhile must not fail the batch forever (the foreign key): the row keeps none.
  LEFT JOIN "Network" n ON n.id = t.n
  ON CONFLICT (mac) DO UPDATE SET
    "networkId" = COALESCE(EXCLUDED."networkId", "DiscoveredMachine"."networkId"),
    ip = COALESCE(EXCLUDED.ip, "DiscoveredMachine".ip),
    "lastSeenAt" = GREATEST("DiscoveredMachine"."lastSeenAt", EXCLUDED."lastSeenAt")`;

const agentFactsSql = `
  INSERT INTO "DiscoveredMachine" (mac, "networkId", ip, facts, "firstSeenAt", "lastSeenAt")
  VALUES ($1, $2, $3, $4::jsonb, now(), now())
  ON CONFLICT (mac) DO UPDATE SET "networkId" = EXCLUDED."networkId", ip = EXCLUDED.ip, facts = EXCLUDED.facts, "lastSeenAt" = now()
  RETURNING "claimedById"`;

/** The Host columns the claim reads; the audit row keeps the whole row (secrets marked). */
interface HostRow {
  id: string;
  hostname: string;
  mac: string | null;
  serial: string | null;
  assetTag: string | null;
  [column: string]: unknown;
}

export class DiscoveryStore implements SightingsTable, DiscoverySink {
  /** `actor`: the audit log's name for this bootd ("bootd", or "bootd:<boot server>"). */
  constructor(private readonly pool: pg.Pool, private readonly actor: string) {}

  async writeSightings(batch: Sightings): Promise<void> {
    await this.pool.query({ name: 'fleetboot-discovered-upsert', text: sightingsSql, values: [batch.macs, batch.networkIds, batch.ips, batch.seenAtMs] });
  }

  async recordAgentDiscovery(input: AgentDiscovery): Promise<DiscoveryResult> {
    const serial = usableIdentifier(input.facts.serial);
    const assetTag = usableIdentifier(input.facts.assetTag);
    return inTransaction(this.pool, async (client) => {
      await client.query('BEGIN');
      const machine = await client.query<{ claimedById: string | null }>(agentFactsSql, [input.mac, input.networkId, input.ip, JSON.stringify(input.facts)]);
      let result: DiscoveryResult = { matched: null, ambiguous: false };
      for (const [by, value] of [['serial', serial], ['assetTag', assetTag]] as const) {
        if (!value) continue;
        // Row locks: two bootd seeing two machines with one serial can't both claim the host.
        const candidates = await client.query<HostRow>(
          `SELECT * FROM "Host" WHERE mac IS NULL AND "${by}" = $1 ORDER BY hostname LIMIT 2 FOR UPDATE`,
          [value],
        );
        if (candidates.rows.length > 1) {
          result = { matched: null, ambiguous: true };
          break;
        }
        const host = candidates.rows[0];
        if (!host) continue;
        const holder = await client.query<{ id: string; hostname: string }>('SELECT id, hostname FROM "Host" WHERE mac = $1', [input.mac]);
        if (claimRefusal({ machine: { mac: input.mac, claimedById: machine.rows[0]?.claimedById ?? null }, host, holder: holder.rows[0] ?? null })) break;
        await this.claim(client, host, input);
        result = { matched: { id: host.id, hostname: host.hostname, by }, ambiguous: false };
        break;
      }
      return result;
    });
  }

  /** The host takes the MAC (and the machine's identifiers where its own are empty), audited as the console's claim is. */
  private async claim(client: pg.PoolClient, host: HostRow, input: AgentDiscovery): Promise<void> {
    const identity = identityAfterClaim(host, input.facts);
    const after = await client.query<HostRow>(
      `UPDATE "Host" SET mac = $1, serial = $2, "assetTag" = $3, "updatedAt" = now() WHERE id = $4 RETURNING *`,
      [input.mac, identity.serial, identity.assetTag, host.id],
    );
    await client.query(`UPDATE "DiscoveredMachine" SET "claimedById" = $1 WHERE mac = $2`, [host.id, input.mac]);
    await client.query(
      `INSERT INTO "AuditLog" (actor, action, entity, "entityId", before, after) VALUES ($1, 'claim', 'host', $2, $3::jsonb, $4::jsonb)`,
      [this.actor, host.id, JSON.stringify(auditable(host)), JSON.stringify(auditable(after.rows[0]))],
    );
  }
}
