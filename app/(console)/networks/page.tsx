// Boot networks: addressing and DHCP settings at a glance, with their host counts.
import Link from 'next/link';
import { Badge } from '@/components/badge.tsx';
import { ButtonLink } from '@/components/button.tsx';
import { CursorPagination } from '@/components/cursor-pagination.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { flatParams, pageNumber, type PageSearchParams } from '@/components/search-params.ts';
import { pageQuery } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listNetworks } from '@/server/networks/queries.ts';
import { bootServerWarnings } from '@/server/boot-servers/queries.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Networks · Fleetboot' };

export default async function NetworksPage({ searchParams }: { searchParams: PageSearchParams }) {
  const actor = await requirePageActor();
  const params = flatParams(await searchParams);
  const paging = pageQuery.safeParse({ limit: 100, cursor: params.cursor });
  const page = await listNetworks({ ...(paging.success ? paging.data : pageQuery.parse({ limit: 100 })), sort: 'name' });
  const canEdit = allows(actor, 'operator');
  const bootServers = await bootServerWarnings();
  const serverName = new Map(bootServers.servers.map((s) => [s.id, s.name]));
  const unserved = new Map(bootServers.unservedNetworks.map((n) => [n.id, n.why]));
  return (
    <>
      <PageHeader
        title="Networks"
        description="The subnets hosts boot on: what DHCP hands out, the discovery pool for unknown machines, the relays."
        actions={canEdit ? <ButtonLink href="/networks/new">New network</ButtonLink> : null}
      />
      <Panel>
        {page.items.length === 0 ? (
          <EmptyState title="No networks yet" action={canEdit ? <ButtonLink href="/networks/new">Create the first network</ButtonLink> : null}>
            A host’s IP address must belong to a network. Create the boot network first, then register hosts on it.
          </EmptyState>
        ) : (
          <>
            <Table label="Networks">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>CIDR</Th>
                  <Th>Gateway</Th>
                  <Th>Boot server</Th>
                  <Th>Served by</Th>
                  <Th>Discovery pool</Th>
                  <Th>Lease</Th>
                  <Th>Discovery</Th>
                  <Th className="text-right">Hosts</Th>
                </tr>
              </thead>
              <TBody>
                {page.items.map((n) => (
                  <tr key={n.id} className="hover:bg-slate-50">
                    <Td>
                      <Link href={`/networks/${n.id}`} className="font-medium whitespace-nowrap text-blue-700 hover:underline">
                        {n.name}
                      </Link>
                    </Td>
                    <Td className="font-mono text-xs">{n.cidr}</Td>
                    <Td className="font-mono text-xs">{n.gateway ?? <None />}</Td>
                    <Td className="font-mono text-xs">{n.bootServer ?? <None />}</Td>
                    <Td className="text-xs">
                      {[n.bootServerId, n.peerBootServerId].filter((id) => id !== null).map((id) => serverName.get(id!)).join(', ') || <None label="unnamed bootd" />}
                      {unserved.has(n.id) ? (
                        <div className="mt-1">
                          <Badge tone="red">not served</Badge> <span className="text-slate-600">{unserved.get(n.id)}</span>
                        </div>
                      ) : null}
                    </Td>
                    <Td className="font-mono text-xs whitespace-nowrap">{n.poolStart && n.poolEnd ? `${n.poolStart} – ${n.poolEnd}` : <None />}</Td>
                    <Td className="whitespace-nowrap tabular-nums">{n.leaseSeconds} s</Td>
                    <Td>{n.discoveryEnabled ? <Badge tone="green">on</Badge> : <Badge tone="grey">off</Badge>}</Td>
                    <Td className="text-right tabular-nums">
                      <Link href={`/hosts?networkId=${n.id}`} className="text-blue-700 hover:underline">
                        {n.hostCount}
                      </Link>
                    </Td>
                  </tr>
                ))}
              </TBody>
            </Table>
            <CursorPagination basePath="/networks" params={{}} nextCursor={page.nextCursor} page={pageNumber(params)} shown={page.items.length} total={page.total} noun="networks" />
          </>
        )}
      </Panel>
    </>
  );
}
