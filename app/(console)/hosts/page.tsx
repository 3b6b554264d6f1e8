// Hosts: search and filters in the URL, one page of rows rendered on the server (cursor pages).
import Link from 'next/link';
import { HostStateBadge, WaitingForHardwareBadge } from '@/components/badge.tsx';
import { ButtonLink } from '@/components/button.tsx';
import { BulkPowerPanel } from '@/components/bulk-power-panel.tsx';
import { CursorPagination } from '@/components/cursor-pagination.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { HostFilters } from '@/components/host-filters.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { SortHeader } from '@/components/sort-header.tsx';
import { flatParams, pageNumber, type PageSearchParams } from '@/components/search-params.ts';
import { TimeText } from '@/components/time-text.tsx';
import { pageQuery } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { DomainError } from '@/server/errors.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { hostStates } from '@/lib/host-states.ts';
import { hostListQuery } from '@/server/hosts/schema.ts';
import { listHosts } from '@/server/hosts/queries.ts';
import { networkChoices, roleChoices } from '../_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Hosts · Fleetboot' };

const hostsPerPage = 50;
const filterKeys = ['q', 'roleId', 'state', 'networkId', 'hasMac'] as const;
const sortKeys = ['sort', 'order'] as const;
/** The bulk power form the rows' checkboxes belong to (components/bulk-power-panel.tsx). */
const bulkPowerFormId = 'bulk-power';

export default async function HostsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const actor = await requirePageActor();
  const params = flatParams(await searchParams);
  const filters = hostListQuery.safeParse(params);
  const paging = pageQuery.safeParse({ limit: hostsPerPage, ...params });
  const badQuery = !filters.success || !paging.success;
  const [page, roles, networks] = await Promise.all([
    listHosts({
      ...(filters.success ? filters.data : hostListQuery.parse({})),
      ...(paging.success ? paging.data : pageQuery.parse({ limit: hostsPerPage })),
    }).catch((err: unknown) => {
      // A stale or hand-edited cursor: say so instead of failing the page.
      if (err instanceof DomainError) return null;
      throw err;
    }),
    roleChoices(),
    networkChoices(),
  ]);
  const filterValues: Record<string, string | undefined> = Object.fromEntries(filterKeys.map((k) => [k, params[k]]));
  const listValues = { ...filterValues, ...Object.fromEntries(sortKeys.map((k) => [k, params[k]])) };
  const sort = filters.success ? filters.data.sort : 'hostname';
  const order = paging.success ? paging.data.order : 'asc';
  const sortable = (field: string, label: string) => <SortHeader basePath="/hosts" params={filterValues} field={field} label={label} sort={sort} order={order} />;
  const filtered = filterKeys.some((k) => params[k]);
  const canEdit = allows(actor, 'operator');

  return (
    <>
      <PageHeader
        title="Hosts"
        description="Every machine Fleetboot boots. A host registered before its hardware arrives waits for its MAC."
        actions={
          canEdit ? (
            <>
              <ButtonLink href="/hosts/import" kind="secondary">
                Import CSV/JSON
              </ButtonLink>
              <ButtonLink href="/hosts/new">New host</ButtonLink>
            </>
          ) : null
        }
      />
      <BulkPowerPanel canEdit={canEdit} formId={bulkPowerFormId} />
      <Panel>
        <HostFilters values={params} roles={roles} networks={networks} states={hostStates} />
        {badQuery || !page ? (
          <EmptyState title="This filter or page link is not valid">
            <Link href="/hosts" className="text-blue-700 underline">Show all hosts</Link>
          </EmptyState>
        ) : page.items.length === 0 ? (
          filtered ? (
            <EmptyState title="No host matches these filters">Try a shorter search, or clear the filters.</EmptyState>
          ) : (
            <EmptyState title="No hosts yet" action={canEdit ? <ButtonLink href="/hosts/new">Register the first host</ButtonLink> : null}>
              Register hosts one by one or import a CSV/JSON list. A host needs no MAC to be registered: it is claimed when its hardware first boots.
            </EmptyState>
          )
        ) : (
          <>
            <Table label="Hosts">
              <thead>
                <tr>
                  {canEdit ? <Th className="w-8"><span className="sr-only">Select</span></Th> : null}
                  {sortable('hostname', 'Hostname')}
                  {sortable('state', 'State')}
                  <Th>MAC</Th>
                  {sortable('ip', 'IP')}
                  <Th>Network</Th>
                  <Th>Role</Th>
                  {sortable('lastSeenAt', 'Last seen')}
                </tr>
              </thead>
              <TBody>
                {page.items.map((h) => (
                  <tr key={h.id} className="hover:bg-slate-50">
                    {canEdit ? (
                      <Td className="w-8">
                        <input type="checkbox" name="hostId" value={h.id} form={bulkPowerFormId} aria-label={`Select ${h.hostname}`} className="size-4" />
                      </Td>
                    ) : null}
                    <Td>
                      <Link href={`/hosts/${h.id}`} className="font-medium whitespace-nowrap text-blue-700 hover:underline">
                        {h.hostname}
                      </Link>
                      {h.spare ? <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">spare</span> : null}
                    </Td>
                    <Td>
                      <HostStateBadge state={h.state} />
                    </Td>
                    <Td>{h.mac ? <span className="font-mono text-xs">{h.mac}</span> : <WaitingForHardwareBadge />}</Td>
                    <Td className="font-mono text-xs">{h.ip ?? <None />}</Td>
                    <Td className="whitespace-nowrap">{h.network?.name ?? <None />}</Td>
                    <Td className="whitespace-nowrap">{h.role?.name ?? <None label="no role" />}</Td>
                    <Td className="text-xs text-slate-600">
                      <TimeText date={h.lastSeenAt} />
                    </Td>
                  </tr>
                ))}
              </TBody>
            </Table>
            <CursorPagination basePath="/hosts" params={listValues} nextCursor={page.nextCursor} page={pageNumber(params)} shown={page.items.length} total={page.total} noun="hosts" />
          </>
        )}
      </Panel>
    </>
  );
}
