// Boot servers: each named bootd with its health (healthy, lagging, gone, with why), what it
// last reported, and the networks assigned to it; admins make (credential shown once) and revoke.
// Below them, the addresses bootd refused in the last hour, with their counts.
import Link from 'next/link';
import { BootServerStateBadge } from '@/components/badge.tsx';
import { BootServerCreateForm } from '@/components/boot-server-create-form.tsx';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listBootServers } from '@/server/boot-servers/queries.ts';
import { listRefusedSources } from '@/server/events/refusals.ts';
import { RefusedSourcesPanel } from '@/components/refused-sources-panel.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Boot servers · Fleetboot' };

function mebibytes(bytes: bigint | number): string {
  return `${(Number(bytes) / 1048576).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;
}

export default async function BootServersPage() {
  const actor = await requirePageActor();
  const [servers, refused] = await Promise.all([listBootServers(), listRefusedSources(60)]);
  const isAdmin = allows(actor, 'admin');
  return (
    <>
      <PageHeader
        title="Boot servers"
        description="Each named bootd (a site, rack or segment) with its last heartbeat. A network names the one or two that serve it."
      />
      {isAdmin ? (
        <Panel title="Make a boot server" className="mb-6">
          <div className="p-4">
            <BootServerCreateForm />
          </div>
        </Panel>
      ) : null}
      <Panel title="Boot servers">
        {servers.length === 0 ? (
          <EmptyState title="No named boot servers">
            An unnamed bootd (the one <code className="font-mono">npm start</code> runs) serves every network. Make a boot server for each site that runs its own bootd.
          </EmptyState>
        ) : (
          <Table label="Boot servers">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Site</Th>
                <Th>State</Th>
                <Th>Networks</Th>
                <Th>Reported</Th>
                <Th>Last heartbeat</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <TBody>
              {servers.map((s) => (
                <tr key={s.id} data-testid={`boot-server-${s.name}`}>
                  <Td className="font-medium whitespace-nowrap">
                    {s.name}
                    <div className="font-mono text-xs text-slate-500">{s.credentialPrefix}…</div>
                  </Td>
                  <Td>{s.site}</Td>
                  <Td>
                    <BootServerStateBadge state={s.health.state} />
                    {s.health.reasons.length ? (
                      <ul className="mt-1 list-disc pl-4 text-xs text-slate-600">
                        {s.health.reasons.map((r) => <li key={r}>{r}</li>)}
                      </ul>
                    ) : null}
                  </Td>
                  <Td className="text-sm">
                    {s.assignedNetworks.length === 0 ? <None label="none assigned" /> : s.assignedNetworks.map((n, i) => (
                      <span key={n.id}>
                        {i > 0 ? ', ' : ''}
                        <Link href={`/networks/${n.id}`} className="text-blue-700 hover:underline">{n.name}</Link>
                      </span>
                    ))}
                    {s.lastHeartbeatAt ? <div className="text-xs text-slate-500">in its view: {s.networksServed.length ? s.networksServed.join(', ') : 'none'}</div> : null}
                  </Td>
                  <Td className="text-xs text-slate-600">
                    {s.lastHeartbeatAt ? (
                      <dl className="grid grid-cols-[auto_1fr] gap-x-2">
                        <dt>version</dt><dd>{s.version}</dd>
                        <dt>addresses</dt><dd className="font-mono">{s.addresses.join(', ')}</dd>
                        <dt>view</dt><dd>change {String(s.viewSeq)}{s.viewLive ? '' : ' (snapshot)'}</dd>
                        <dt>artifacts</dt><dd>{s.artifactsSynced} of {s.artifactsNeeded} synced, {mebibytes(s.cacheBytes)}</dd>
                        <dt>spool</dt><dd>{s.spoolDepth} event(s)</dd>
                      </dl>
                    ) : <None label="nothing yet" />}
                  </Td>
                  <Td className="text-xs text-slate-600">
                    <TimeText date={s.lastHeartbeatAt} />
                  </Td>
                  <Td className="text-right">
                    {isAdmin && !s.revokedAt ? <ConfirmDeleteButton path={`/api/v1/boot-servers/${s.id}`} what={`boot server ${s.name}`} label="Revoke" consequence="Its bootd stops at its next heartbeat and the console refuses its credential." /> : null}
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Panel>
      <RefusedSourcesPanel sources={refused} />
    </>
  );
}
