// Discovered machines: the only code that reads or writes "DiscoveredMachine" for the console.
// (bootd writes the rows it sees with raw SQL: boot-services/agent/discovery-store.ts, dhcp/
// discovery-writer.ts.) A claim gives a registered host the machine's MAC; bootd's view follows
// through the change log, and the machine's agent, polling its identity, reboots into the
// host's role without anyone touching it.
import type { DiscoveredMachine, Host } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { normalizeMac } from '../../lib/mac.ts';
import type { ClaimInput, DiscoveredListQuery } from './schema.ts';

export async function listDiscovered(q: DiscoveredListQuery): Promise<{ items: DiscoveredMachine[] }> {
  const where = q.status === 'all' ? {} : { claimedById: q.status === 'claimed' ? { not: null } : null };
  const items = await db().discoveredMachine.findMany({ where, orderBy: [{ lastSeenAt: 'desc' }, { mac: 'asc' }], take: q.limit });
  return { items };
}

function factText(facts: unknown, key: string): string | null {
  const v = facts && typeof facts === 'object' ? (facts as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

export async function claimDiscovered(actor: Actor, macText: string, input: ClaimInput): Promise<Host> {
  const mac = normalizeMac(macText);
  if (!mac) throw notFound('discovered machine');
  return db().$transaction(async (tx) => {
    const machine = await tx.discoveredMachine.findUnique({ where: { mac } });
    if (!machine) throw notFound('discovered machine');
    if (machine.claimedById && machine.claimedById !== input.hostId) throw conflict('mac', `${mac} is already claimed by another host`);
    const host = await tx.host.findUnique({ where: { id: input.hostId } });
    if (!host) throw invalid('hostId', 'no such host');
    if (host.mac && host.mac !== mac) throw conflict('hostId', `${host.hostname} already has the MAC ${host.mac}`);
    const holder = await tx.host.findUnique({ where: { mac } });
    if (holder && holder.id !== host.id) throw conflict('mac', `${mac} already belongs to ${holder.hostname}`);
    // The machine's own serial and asset tag fill the host's empty ones: the next match is automatic.
    const after = await tx.host.update({
      where: { id: host.id },
      data: { mac, serial: host.serial ?? factText(machine.facts, 'serial'), assetTag: host.assetTag ?? factText(machine.facts, 'assetTag') },
    });
    await tx.discoveredMachine.update({ where: { mac }, data: { claimedById: host.id } });
    await writeAudit(tx, actor, 'claim', 'host', host.id, host, after);
    return after;
  });
}
