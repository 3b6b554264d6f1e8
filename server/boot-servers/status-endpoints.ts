// Where the console asks bootd for hosts' log tails and metrics (DESIGN.md "bootd on its own
// machine"; issue 14 item 4): a named boot server at the status URL it registers in its
// heartbeats, each request signed with its credential's hash (lib/node/console-signature.ts);
// a host on a network no named boot server serves is asked of the bootd beside the console
// (127.0.0.1:FLEETBOOT_BOOTD_ADMIN_PORT), as on one machine.
import { consoleSignatureHeader, signConsoleRequest } from '../../lib/node/console-signature.ts';
import { db } from '../db/client.ts';
import { goneAfterSeconds } from './health.ts';

export interface StatusEndpoint {
  /** The boot server's name; null: the unnamed bootd on this machine. */
  name: string | null;
  baseUrl: string;
  credentialHash: string | null;
}

export function localStatusEndpoint(env: Record<string, string | undefined> = process.env): StatusEndpoint {
  return { name: null, baseUrl: `http://127.0.0.1:${Number(env.FLEETBOOT_BOOTD_ADMIN_PORT) || 9467}`, credentialHash: null };
}

interface Row { name: string; statusUrl: string | null; credentialHash: string; revokedAt: Date | null }

function endpointOf(row: Row | null): StatusEndpoint | null {
  if (!row || row.revokedAt || !row.statusUrl) return null;
  return { name: row.name, baseUrl: row.statusUrl, credentialHash: row.credentialHash };
}

const serverColumns = { name: true, statusUrl: true, credentialHash: true, revokedAt: true } as const;

/** The boot servers of the host's network (one, or the RFC 3074 pair); this machine's bootd when it has none. */
export async function statusEndpointsForHost(hostId: string, env: Record<string, string | undefined> = process.env): Promise<StatusEndpoint[]> {
  const host = await db().host.findUnique({
    where: { id: hostId },
    select: { network: { select: { bootServerRecord: { select: serverColumns }, peerBootServerRecord: { select: serverColumns } } } },
  });
  const assigned = [endpointOf(host?.network?.bootServerRecord ?? null), endpointOf(host?.network?.peerBootServerRecord ?? null)].filter((e): e is StatusEndpoint => e !== null);
  return assigned.length > 0 ? assigned : [localStatusEndpoint(env)];
}

/** Every boot server heard from lately (not revoked, not stopped), and this machine's bootd. */
export async function liveStatusEndpoints(env: Record<string, string | undefined> = process.env, nowMs = Date.now()): Promise<StatusEndpoint[]> {
  const rows = await db().bootServer.findMany({
    where: { revokedAt: null, statusUrl: { not: null }, lastHeartbeatAt: { gte: new Date(nowMs - goneAfterSeconds * 1000) } },
    select: { ...serverColumns, stoppedAt: true, lastHeartbeatAt: true },
    orderBy: { name: 'asc' },
  });
  const live = rows.filter((r) => !r.stoppedAt || (r.lastHeartbeatAt && r.stoppedAt < r.lastHeartbeatAt));
  return [localStatusEndpoint(env), ...live.map((r) => endpointOf(r)!)];
}

/** A GET to a bootd's status endpoint, signed when it is a named boot server. */
export function askBootd(endpoint: StatusEndpoint, pathAndQuery: string, timeoutMs: number): Promise<Response> {
  const headers: Record<string, string> = endpoint.credentialHash ? { [consoleSignatureHeader]: signConsoleRequest(endpoint.credentialHash, 'GET', pathAndQuery) } : {};
  return fetch(`${endpoint.baseUrl}${pathAndQuery}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
}
