// Discovered machines: the only code that reads or writes "DiscoveredMachine" for the console.
// (bootd writes the rows it sees through its store: boot-services/store/discovery.ts.) A claim
// gives a registered host the machine's MAC; bootd's view follows through the change log, and
// the machine's agent, polling its identity, reboots into the host's role without anyone
// touching it. The claim's rule is lib/discovery-claim.ts, shared with bootd's automatic match.
import type { DiscoveredMachine, Host } from '@prisma/client';
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
    const host = await tx.host.findUnique({ where: { id: input.hostId } });
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
