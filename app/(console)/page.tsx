// Dashboard: the hosts that can't boot by cause (the boot doctor), the fleet by state and by role, hosts waiting for hardware, the latest boot events, the database's replication state.
import Link from 'next/link';
import { BootEventList } from '@/components/boot-event-list.tsx';
import { BootServerWarningPanel } from '@/components/boot-server-warnings.tsx';
import { DatabaseClusterPanel } from '@/components/database-cluster-panel.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { FleetDoctorPanel } from '@/components/fleet-doctor-panel.tsx';
import { LiveRefresh } from '@/components/live-refresh.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { StateCountTile, TileGrid } from '@/components/state-count-tile.tsx';
import { Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { diagnoseFleet } from '@/server/boot-doctor/queries.ts';
import { bootServerWarnings } from '@/server/boot-servers/queries.ts';
import { databaseClusterState } from '@/server/db/database-cluster.ts';
import { listEvents } from '@/server/events/queries.ts';
import { eventListQuery } from '@/server/events/schema.ts';
import { countHostsByRole, countHostsByState, listHosts } from '@/server/hosts/queries.ts';
import { hostStates } from '@/lib/host-states.ts';
import { hostListQuery } from '@/server/hosts/schema.ts';
import { roleChoices } from './_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Dashboard · Fleetboot' };

const recentEvents = 15;

export default async function DashboardPage() {
  await requirePageActor();
  const [byState, byRole, roles, waiting, events, bootServers, doctor, database] = await Promise.all([
    countHostsByState(),
    countHostsByRole(),
    roleChoices(),
    listHosts({ ...hostListQuery.parse({ hasMac: 'false' }), limit: 1, order: 'asc' }),
    listEvents(eventListQuery.parse({ limit: recentEvents })),
    bootServerWarnings(),
    diagnoseFleet(),
    databaseClusterState(),
  ]);
  const total = Object.values(byState).reduce((a, b) => a + b, 0);
  const roleName = new Map(roles.map((r) => [r.value, r.label]));
  const roleRows = byRole
    .map((r) => ({ roleId: r.roleId, name: r.roleId ? roleName.get(r.roleId) ?? 'unknown role' : null, count: r.count }))
    .sort((a, b) => b.count - a.count);

  return (
    <>
      <PageHeader
        title="Dashboard"
        description={`${total.toLocaleString('en-US')} hosts in the fleet.`}
        actions={<LiveRefresh afterSeq={events.items[0] ? String(events.items[0].seq) : undefined} minRefreshMs={5000} />}
      />
      <BootServerWarningPanel warnings={bootServers} />
      <FleetDoctorPanel summary={doctor} />
      <section aria-label="Hosts by state" className="mb-6">
        <TileGrid>
          {hostStates.map((s) => (
            <StateCountTile key={s} state={s} count={byState[s] ?? 0} href={`/hosts?state=${s}`} />
          ))}
          <Link
            href="/hosts?hasMac=false"
            className="flex flex-col gap-1 rounded-lg border border-dashed border-slate-400 bg-white px-4 py-3 hover:border-slate-500"
          >
            <span className="text-2xl font-semibold text-slate-900 tabular-nums">{(waiting.total ?? 0).toLocaleString('en-US')}</span>
            <span className="text-sm text-slate-600">waiting for hardware</span>
          </Link>
        </TileGrid>
      </section>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <Panel title="Hosts by role" className="self-start">
          {roleRows.length === 0 ? (
            <EmptyState title="No hosts yet">
              <Link href="/hosts/new" className="text-blue-700 underline">Register a host</Link> or import a list.
            </EmptyState>
          ) : (
            <Table label="Hosts by role">
              <thead>
                <tr>
                  <Th>Role</Th>
                  <Th className="text-right">Hosts</Th>
                </tr>
              </thead>
              <TBody>
                {roleRows.map((r) => (
                  <tr key={r.roleId ?? 'none'}>
                    <Td>{r.name ?? <span className="text-slate-500 italic">no role</span>}</Td>
                    <Td className="text-right tabular-nums">
                      <Link href={r.roleId ? `/hosts?roleId=${r.roleId}` : '/hosts'} className="text-blue-700 hover:underline">
                        {r.count.toLocaleString('en-US')}
                      </Link>
                    </Td>
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </Panel>
        <Panel title="Recent boot events" className="self-start">
          {events.items.length === 0 ? (
            <EmptyState title="No boot events yet">Each DHCP, TFTP and HTTP step of a boot shows up here as hosts boot.</EmptyState>
          ) : (
            <BootEventList events={events.items} showHost />
          )}
        </Panel>
      </div>
      <div className="mt-6">
        <DatabaseClusterPanel cluster={database} />
      </div>
    </>
  );
}
