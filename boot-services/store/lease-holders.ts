// Which MAC holds a bound, unexpired pool lease on a client address, from the lease tables:
// client-hosts.ts asks this when this bootd runs no DHCP (its own lease book answers otherwise).
import net from 'node:net';
import type pg from 'pg';

/** IPv4 pool leases are DHCP's ("Lease"), IPv6 ones DHCPv6's ("Lease6", store/dhcp6-leases.ts), by address. */
const holderSql = {
  v4: `SELECT mac FROM "Lease" WHERE ip = $1 AND state = 'bound' AND "expiresAt" > now() ORDER BY "expiresAt" DESC LIMIT 1`,
  v6: `SELECT mac FROM "Lease6" WHERE address = $1 AND mac IS NOT NULL AND state = 'bound' AND "expiresAt" > now() ORDER BY "expiresAt" DESC LIMIT 1`,
};

export class LeaseHolders {
  constructor(private readonly pool: Pick<pg.Pool, 'query'>) {}

  /** The MAC leasing `ip` now, or null. */
  async findLeaseHolderMac(ip: string): Promise<string | null> {
    const r = await this.pool.query<{ mac: string }>(net.isIPv6(ip) ? holderSql.v6 : holderSql.v4, [ip]);
    return r.rows[0]?.mac ?? null;
  }
}
