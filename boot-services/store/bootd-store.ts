// The one door from bootd's services to PostgreSQL (STYLE.md "store/"): main.ts opens it with the
// database URL, and each service receives the narrow part it uses (the agent API a DiscoverySink,
// the DHCP service its lease and heartbeat tables, …). The pool lives here and nowhere else in
// bootd: SQL is written only under boot-services/store/ (eslint.config.mjs enforces it).
import pg from 'pg';
import { databaseConnectionOptions } from '../../lib/database-connection.ts';
import type { Logger } from '../bootd-context.ts';
import { AgentRecords } from './agent-records.ts';
import { BootServerStore } from './boot-servers.ts';
import { BootdPeerTable } from './bootd-peers.ts';
import { LeaseTable } from './dhcp-leases.ts';
import { PgDhcp6LeaseStore } from './dhcp6-leases.ts';
import { DiscoveryStore } from './discovery.ts';
import { EventStore } from './events.ts';
import { LeaseHolders } from './lease-holders.ts';

/** Longest a bootd query may take before its connection counts as dead (bootd's queries take milliseconds). */
const bootdQueryTimeoutMs = 20_000;

export interface BootdStore {
  discovery: DiscoveryStore;
  agent: AgentRecords;
  events: EventStore;
  /** DHCPv4 pool leases (dhcp/pg-lease-store.ts keeps their book). */
  leases: LeaseTable;
  /** DHCP peers' heartbeats (dhcp/peer-heartbeat.ts). */
  peers: BootdPeerTable;
  /** Who leases a client address, for services of a bootd without DHCP (client-hosts.ts). */
  leaseHolders: LeaseHolders;
  /** DHCPv6 leases, every one loaded before it resolves. */
  openDhcp6Leases(log: Logger): Promise<PgDhcp6LeaseStore>;
  /** This bootd's row in the boot server registry, proven by its credential's hash. */
  bootServer(name: string, credentialHash: string): BootServerStore;
  /** Ends the pool once every service has stopped writing. */
  close(): Promise<void>;
}

export interface BootdStoreOptions {
  databaseUrl: string;
  /** Who bootd is in the audit log ("bootd", or "bootd:<boot server name>": bootdActor). */
  actor: string;
  log: Logger;
}

export function openBootdStore(opts: BootdStoreOptions): BootdStore {
  // A query stuck on a connection whose link was cut (packets lost, not refused) would wait for
  // TCP to give up (~15 min of retransmissions): keepalives only probe idle connections. After
  // bootdQueryTimeoutMs it fails, its client is thrown away, and the caller spools or retries
  // on a new connection, so events flow again as soon as the link is back.
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 8, ...databaseConnectionOptions, query_timeout: bootdQueryTimeoutMs });
  pool.on('error', (err) => opts.log.warn('database pool error', { error: err.message }));
  return {
    discovery: new DiscoveryStore(pool, opts.actor),
    agent: new AgentRecords(pool),
    events: new EventStore(pool),
    leases: new LeaseTable(pool),
    peers: new BootdPeerTable(pool),
    leaseHolders: new LeaseHolders(pool),
    openDhcp6Leases: (log) => PgDhcp6LeaseStore.open(pool, log),
    bootServer: (name, credentialHash) => new BootServerStore(pool, name, credentialHash),
    close: () => pool.end(),
  };
}

/** The audit log's name for a bootd: its boot server's, when it has one. */
export function bootdActor(bootServerName: string | null): string {
  return bootServerName ? `bootd:${bootServerName}` : 'bootd';
}
