// Discovered machines: unknown MACs that DHCP'd or PXE-booted into discovery, with what their
// agent reported (vendor, product, serial, CPUs, RAM, disks), first and last seen; an operator
// claims each into a host waiting for hardware (a serial or asset tag match suggested) or into
// a new host. Claimed machines are listed on request.
import Link from 'next/link';
import { Table, TBody, Td, Th, None } from '@/components/data-table.tsx';
import { DiscoveredClaimForm } from '@/components/discovered-claim-form.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { LiveRefresh } from '@/components/live-refresh.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { formatMemory } from '@/lib/boot/image-needs.ts';
import { claimMatch } from '@/lib/discovery-claim.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listDiscovered, listHostsWaitingForHardware } from '@/server/discovery/queries.ts';
import { discoveredListQuery } from '@/server/discovery/schema.ts';
import { networkChoices, roleChoices } from '../_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Discovered machines · Fleetboot' };

interface Facts { vendor?: string; product?: string; serial?: string; assetTag?: string; cpus?: number; cpuModel?: string; memoryKib?: number; disks?: Array<{ name?: string; sizeBytes?: number }> }

function factsText(f: Facts): string[] {
  const lines: string[] = [];
  const model = [f.vendor, f.product].filter(Boolean).join(' ');
  if (model) lines.push(model);
  const ids = [f.serial ? `serial ${f.serial}` : null, f.assetTag ? `asset tag ${f.assetTag}` : null].filter(Boolean);
  if (ids.length) lines.push(ids.join(' · '));
  const hw = [typeof f.cpus === 'number' ? `${f.cpus} CPU${f.cpus === 1 ? '' : 's'}` : null, typeof f.memoryKib === 'number' && f.memoryKib > 0 ? `${formatMemory(f.memoryKib * 1024)} RAM` : null, Array.isArray(f.disks) && f.disks.length ? `${f.disks.length} disk${f.disks.length === 1 ? '' : 's'}` : null].filter(Boolean);
  if (hw.length) lines.push(hw.join(' · '));
  return lines;
}

export default async function DiscoveredPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePageActor();
  const sp = await searchParams;
  const q = discoveredListQuery.parse({ status: typeof sp.status === 'string' && ['unclaimed', 'claimed', 'all'].includes(sp.status) ? sp.status : undefined });
  const [machines, waiting, roles, networks] = await Promise.all([listDiscovered(q), listHostsWaitingForHardware(), roleChoices(), networkChoices()]);
  const canClaim = allows(actor, 'operator');
  const networkName = new Map(networks.map((n) => [n.value, n.label.replace(/ \(.*\)$/, '')]));
  return (
    <>
      <PageHeader
        title="Discovered machines"
        description="Machines no host knows yet that asked DHCP for an address or booted into discovery. Claim each into a host: it then boots that host's role."
        actions={
          <>
            <LiveRefresh />
            <Link href={q.status === 'unclaimed' ? '/discovered?status=all' : '/discovered'} className="text-sm text-blue-700 hover:underline">
              {q.status === 'unclaimed' ? 'Show claimed too' : 'Unclaimed only'}
            </Link>
          </>
        }
      />
      <Panel>
        {machines.items.length === 0 ? (
          <EmptyState title={q.status === 'unclaimed' ? 'No unclaimed machines' : 'No discovered machines'}>
            A machine whose MAC no host has appears here when it asks for an address on a network with discovery on, and with its hardware facts once it boots into discovery.
          </EmptyState>
        ) : (
          <Table label="Discovered machines">
            <thead>
              <tr>
                <Th>MAC</Th>
                <Th>Network · address</Th>
                <Th>Hardware</Th>
                <Th>First seen</Th>
                <Th>Last seen</Th>
                <Th>{canClaim ? 'Claim' : 'Claimed by'}</Th>
              </tr>
            </thead>
            <TBody>
              {machines.items.map((m) => {
                const facts = (m.facts ?? {}) as Facts;
                const lines = factsText(facts);
                return (
                  <tr key={m.mac} data-testid={`discovered-${m.mac.replaceAll(':', '-')}`}>
                    <Td className="font-mono text-xs">{m.mac}</Td>
                    <Td className="text-xs">{m.networkId ? networkName.get(m.networkId) ?? <None /> : <None />}{m.ip ? <div className="font-mono">{m.ip}</div> : null}</Td>
                    <Td className="min-w-52 text-xs">{lines.length ? lines.map((l) => <div key={l}>{l}</div>) : <span className="text-slate-500">DHCP only: no facts yet (it has not booted into discovery)</span>}</Td>
                    <Td className="text-xs whitespace-nowrap"><TimeText date={m.firstSeenAt} /></Td>
                    <Td className="text-xs whitespace-nowrap"><TimeText date={m.lastSeenAt} /></Td>
                    <Td>
                      {m.claimedById ? (
                        <Link href={`/hosts/${m.claimedById}`} className="text-sm text-blue-700 hover:underline">claimed: its host</Link>
                      ) : canClaim ? (
                        <DiscoveredClaimForm mac={m.mac} networkId={m.networkId} roles={roles} waiting={waiting.map((h) => ({ id: h.id, hostname: h.hostname, match: claimMatch(h, facts) }))} />
                      ) : (
                        <span className="text-xs text-slate-500">unclaimed</span>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </TBody>
          </Table>
        )}
      </Panel>
    </>
  );
}
