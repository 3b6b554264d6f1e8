// The one door from bootd's services to PostgreSQL (STYLE.md "store/"): main.ts opens it on its
// pool, and each service receives the narrow part it uses (the agent API a DiscoverySink, the
// DHCP discovery writer a SightingsTable, …). SQL is written only under boot-services/store/.
import type pg from 'pg';
import { AgentRecords } from './agent-records.ts';
import { DiscoveryStore } from './discovery.ts';
import { EventStore } from './events.ts';

export interface BootdStore {
  discovery: DiscoveryStore;
  agent: AgentRecords;
  events: EventStore;
}

/** `actor`: who bootd is in the audit log ("bootd", or "bootd:<boot server name>"). */
export function openBootdStore(pool: pg.Pool, actor: string): BootdStore {
  return { discovery: new DiscoveryStore(pool, actor), agent: new AgentRecords(pool), events: new EventStore(pool) };
}

/** The audit log's name for a bootd: its boot server's, when it has one. */
export function bootdActor(bootServerName: string | null): string {
  return bootServerName ? `bootd:${bootServerName}` : 'bootd';
}
