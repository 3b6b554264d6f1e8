// Boot servers: the only code in the web process that reads or writes "BootServer". An admin
// makes one (its credential shown once, stored as its sha256 with the API tokens' hashing),
// revokes it; the list judges each from its heartbeats (health.ts). bootd writes its own row
// through boot-services/store/boot-servers.ts.
import type { BootServer } from '@prisma/client';
import { requireRole, type Actor } from '../auth/actor.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { judgeBootServer, type BootServerHealth, type ChangeLogPosition } from './health.ts';
import { bootServerCredentialPrefix, type BootServerCreate } from './schema.ts';

export type PublicBootServer = Omit<BootServer, 'credentialHash'>;

export interface BootServerWithHealth extends PublicBootServer {
  health: BootServerHealth;
  /** Networks the console assigns to it (as the first or the second server). */
  assignedNetworks: Array<{ id: string; name: string }>;
}

function publicRow({ credentialHash: _h, ...rest }: BootServer): PublicBootServer {
  return rest;
}

async function changeLogPosition(viewSeq: bigint | null, headSeq: bigint): Promise<ChangeLogPosition> {
  if (viewSeq === null || viewSeq >= headSeq) return { headSeq, oldestMissingAt: null };
  const next = await db().change.findFirst({ where: { seq: { gt: viewSeq } }, orderBy: { seq: 'asc' }, select: { at: true } });
  return { headSeq, oldestMissingAt: next?.at ?? null };
}

export async function listBootServers(nowMs = Date.now()): Promise<BootServerWithHealth[]> {
  const [rows, head] = await Promise.all([
    db().bootServer.findMany({
      orderBy: [{ site: 'asc' }, { name: 'asc' }],
      include: { networks: { select: { id: true, name: true } }, peerNetworks: { select: { id: true, name: true } } },
    }),
    db().change.aggregate({ _max: { seq: true } }),
  ]);
  const headSeq = head._max.seq ?? 0n;
  return Promise.all(rows.map(async ({ networks, peerNetworks, ...row }) => ({
    ...publicRow(row),
    health: judgeBootServer(row, await changeLogPosition(row.viewSeq, headSeq), nowMs),
    assignedNetworks: [...networks, ...peerNetworks].sort((a, b) => a.name.localeCompare(b.name)),
  })));
}

export async function getBootServerOrThrow(id: string): Promise<BootServerWithHealth> {
  const found = (await listBootServers()).find((s) => s.id === id);
  if (!found) throw notFound('boot server');
  return found;
}

/** Choices for a network's form: every boot server not revoked. */
export async function bootServerChoices(): Promise<Array<{ value: string; label: string }>> {
  const rows = await db().bootServer.findMany({ where: { revokedAt: null }, orderBy: { name: 'asc' }, select: { id: true, name: true, site: true } });
  return rows.map((r) => ({ value: r.id, label: `${r.name} (${r.site})` }));
}

export async function createBootServer(actor: Actor, input: BootServerCreate): Promise<{ bootServer: PublicBootServer; credential: string }> {
  requireRole(actor, 'admin');
  const credential = newSecret(bootServerCredentialPrefix);
  return db().$transaction(async (tx) => {
    const row = await tx.bootServer.create({
      data: { name: input.name, site: input.site, credentialHash: hashSecret(credential), credentialPrefix: credential.slice(0, bootServerCredentialPrefix.length + 6), createdBy: actor.username },
    });
    await writeAudit(tx, actor, 'create', 'boot-server', row.id, null, publicRow(row));
    return { bootServer: publicRow(row), credential };
  });
}

/** The console refuses a revoked credential at once; the row stays, with its history. */
export async function revokeBootServer(actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin');
  await db().$transaction(async (tx) => {
    const before = await tx.bootServer.findUnique({ where: { id } });
    if (!before) throw notFound('boot server');
    if (before.revokedAt) return;
    const after = await tx.bootServer.update({ where: { id }, data: { revokedAt: new Date() } });
    await writeAudit(tx, actor, 'revoke', 'boot-server', id, publicRow(before), publicRow(after));
  });
}

/** The boot server a credential belongs to, if it is valid (not revoked). */
export async function findBootServerByCredential(credential: string): Promise<PublicBootServer | null> {
  if (!credential.startsWith(bootServerCredentialPrefix)) return null;
  const row = await db().bootServer.findUnique({ where: { credentialHash: hashSecret(credential) } });
  return row && !row.revokedAt ? publicRow(row) : null;
}

export interface BootServerWarnings {
  servers: BootServerWithHealth[];
  /** Boot servers gone or lagging (revoked ones are an admin's decision, not a warning). */
  troubled: BootServerWithHealth[];
  /** Networks whose assigned boot servers are all gone or revoked. */
  unservedNetworks: Array<{ id: string; name: string; why: string }>;
}

/** What the dashboard and the networks list warn about. */
export async function bootServerWarnings(): Promise<BootServerWarnings> {
  const [servers, networks] = await Promise.all([
    listBootServers(),
    db().network.findMany({ select: { id: true, name: true, bootServerId: true, peerBootServerId: true }, orderBy: { name: 'asc' } }),
  ]);
  const byId = new Map(servers.map((s) => [s.id, s]));
  const unservedNetworks: BootServerWarnings['unservedNetworks'] = [];
  for (const n of networks) {
    const assigned = [n.bootServerId, n.peerBootServerId].filter((id): id is string => id !== null).map((id) => byId.get(id)!).filter(Boolean);
    // No named boot server: only unnamed bootd answer it (they serve every network). Fine on
    // one machine with no registry; once boot servers are named, nobody may be serving it.
    if (assigned.length === 0) {
      if (servers.some((s) => !s.revokedAt)) unservedNetworks.push({ id: n.id, name: n.name, why: 'no boot server assigned (only an unnamed bootd would answer it)' });
      continue;
    }
    const serving = assigned.filter((s) => s.health.state === 'healthy' || s.health.state === 'lagging');
    if (serving.length === 0) unservedNetworks.push({ id: n.id, name: n.name, why: assigned.map((s) => `${s.name} is ${s.health.state}`).join(', ') });
  }
  return { servers, troubled: servers.filter((s) => s.health.state === 'gone' || s.health.state === 'lagging'), unservedNetworks };
}
