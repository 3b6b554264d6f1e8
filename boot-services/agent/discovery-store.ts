// bootd's side of discovery: an unknown machine's facts become its DiscoveredMachine row, and
// when its serial or asset tag names exactly one pre-registered host that has no MAC yet, that
// host takes the MAC at once (DESIGN.md "Identity"). The Host update goes through the change
// log trigger, so every bootd's view learns the MAC and the waiting agent is known on its next
// identity poll. Raw SQL: bootd never uses Prisma.
import type pg from 'pg';
import type { DiscoveryFacts } from './agent-requests.ts';

/** Firmware fills unset DMI strings with these; matching on them would claim the wrong host. */
const placeholderIds = new Set(['', '0', '00000000', '0123456789', 'none', 'default string', 'not specified', 'not applicable',
  'to be filled by o.e.m.', 'system serial number', 'chassis serial number', 'serial number', 'n/a', 'na']);

export function usableIdentifier(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  return placeholderIds.has(v.toLowerCase()) ? null : v;
}

export interface DiscoveryResult {
  matched: { id: string; hostname: string; by: 'serial' | 'assetTag' } | null;
  /** More than one registered host carries this serial/asset tag: left for an operator. */
  ambiguous: boolean;
}

export async function recordDiscovery(pool: pg.Pool, input: { mac: string; ip: string; networkId: string | null; facts: DiscoveryFacts }): Promise<DiscoveryResult> {
  const serial = usableIdentifier(input.facts.serial);
  const assetTag = usableIdentifier(input.facts.assetTag);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO "DiscoveredMachine" (mac, "networkId", ip, facts, "firstSeenAt", "lastSeenAt")
       VALUES ($1, $2, $3, $4::jsonb, now(), now())
       ON CONFLICT (mac) DO UPDATE SET "networkId" = EXCLUDED."networkId", ip = EXCLUDED.ip, facts = EXCLUDED.facts, "lastSeenAt" = now()`,
      [input.mac, input.networkId, input.ip, JSON.stringify(input.facts)],
    );
    let result: DiscoveryResult = { matched: null, ambiguous: false };
    for (const [by, value, column] of [['serial', serial, 'serial'], ['assetTag', assetTag, 'assetTag']] as const) {
      if (!value) continue;
      // Row locks: two bootd seeing two machines with one serial can't both claim the host.
      const candidates = await client.query<{ id: string; hostname: string }>(
        `SELECT id, hostname FROM "Host" WHERE mac IS NULL AND "${column}" = $1 ORDER BY hostname LIMIT 2 FOR UPDATE`,
        [value],
      );
      if (candidates.rows.length > 1) {
        result = { matched: null, ambiguous: true };
        break;
      }
      const host = candidates.rows[0];
      if (!host) continue;
      const taken = await client.query('SELECT 1 FROM "Host" WHERE mac = $1', [input.mac]);
      if (taken.rowCount) break;
      await client.query(`UPDATE "Host" SET mac = $1, "updatedAt" = now() WHERE id = $2`, [input.mac, host.id]);
      await client.query(`UPDATE "DiscoveredMachine" SET "claimedById" = $1 WHERE mac = $2`, [host.id, input.mac]);
      result = { matched: { ...host, by }, ambiguous: false };
      break;
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
