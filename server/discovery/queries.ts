// Discovered machines: the only code that reads or writes "DiscoveredMachine" for the console.
// (bootd writes the rows it sees through its store: boot-services/store/discovery.ts.) A claim
// gives a registered host the machine's MAC; bootd's view follows through the change log, and
// the machine's agent, polling its identity, reboots into the host's role without anyone
// touching it. The claim's rule is lib/discovery-claim.ts, shared with bootd's automatic match.
import type { DiscoveredMachine, Host, Prisma } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { normalizeMac } from '../../lib/mac.ts';
import { claimRefusal, identityAfterClaim } from '../../lib/discovery-claim.ts';
import type { ClaimInput, DiscoveredListQuery } from './schema.ts';

export async function listDiscovered(q: DiscoveredListQuery): Promise<{ items: DiscoveredMachine[] }> {
  const where = q.status === 'all' ? {} : { claimedById: q.status === 'claimed' ? { not: null } : null };
  const items = await db().discoveredMachine.findMany({ where, orderBy: [{ lastSeenAt: 'desc' }, { mac: 'asc' }], take: q.limit });
  return { items };
}

export async function claimDiscovered(actor: Actor, macText: string, input: ClaimInput): Promise<Host> {
  const mac = normalizeMac(macText);
  if (!mac) throw notFound('discovered machine');
  return db().$transaction(async (tx) => {
    const machine = await tx.discoveredMachine.findUnique({ where: { mac } });
    if (!machine) throw notFound('discovered machine');
    const host = input.newHost ? await createHostForClaim(tx, actor, input.newHost) : await tx.host.findUnique({ where: { id: input.hostId! } });
    if (!host) throw invalid('hostId', 'no such host');
    const holder = await tx.host.findUnique({ where: { mac } });
    const refused = claimRefusal({ machine, host, holder });
    if (refused) throw conflict(refused.field, refused.message);
    const after = await tx.host.update({ where: { id: host.id }, data: { mac, ...identityAfterClaim(host, machine.facts) } });
    await tx.discoveredMachine.update({ where: { mac }, data: { claimedById: host.id } });
    await writeAudit(tx, actor, 'claim', 'host', host.id, host, after);
    return after;
  });
}

/** A new host for the machine (its role and network checked), audited as created; the claim then gives it the MAC. */
async function createHostForClaim(tx: Prisma.TransactionClient, actor: Actor, input: NonNullable<ClaimInput['newHost']>): Promise<Host> {
  if (input.roleId && !(await tx.role.findUnique({ where: { id: input.roleId } }))) throw invalid('newHost.roleId', 'no such role');
  if (input.networkId && !(await tx.network.findUnique({ where: { id: input.networkId } }))) throw invalid('newHost.networkId', 'no such network');
  if (await tx.host.findUnique({ where: { hostname: input.hostname } })) throw conflict('newHost.hostname', `a host named ${input.hostname} exists`);
  const host = await tx.host.create({ data: { hostname: input.hostname, roleId: input.roleId ?? null, networkId: input.networkId ?? null } });
  await writeAudit(tx, actor, 'create', 'host', host.id, null, host);
  return host;
}

/** Hosts registered without a MAC: the ones a discovered machine can be claimed into. */
export async function listHostsWaitingForHardware(): Promise<Array<Pick<Host, 'id' | 'hostname' | 'serial' | 'assetTag'>>> {
  return db().host.findMany({ where: { mac: null }, select: { id: true, hostname: true, serial: true, assetTag: true }, orderBy: { hostname: 'asc' }, take: 1000 });
}
