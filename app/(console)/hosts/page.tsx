// Hosts: search and filters in the URL, one page of rows rendered on the server (cursor pages,
// next and previous, a page size). An operator selects rows, a page or every host the filter
// matches, and acts on the selection from one line above the table (components/host-bulk-bar.tsx).
import Link from 'next/link';
import { HostStateBadge, WaitingForHardwareBadge } from '@/components/badge.tsx';
import { ButtonLink } from '@/components/button.tsx';
import { BulkPowerPanel } from '@/components/bulk-power-panel.tsx';
import { HostBulkBar } from '@/components/host-bulk-bar.tsx';
import { HostPageCheckbox, HostRowCheckbox, HostSelectionProvider, SelectAllMatchingNote } from '@/components/host-selection.tsx';
import { CursorPagination } from '@/components/cursor-pagination.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { HostFilters } from '@/components/host-filters.tsx';
import { SavedFilters } from '@/components/saved-filters.tsx';
import { listSavedFilters } from '@/server/hosts/saved-filters.ts';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { SortHeader } from '@/components/sort-header.tsx';
import { flatParams, pageNumber, type PageSearchParams } from '@/components/search-params.ts';
import { TimeText } from '@/components/time-text.tsx';
import { pageQuery } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { DomainError } from '@/server/errors.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { hostStates } from '@/lib/host-states.ts';
import { hostFilterKeys, hostListQuery } from '@/server/hosts/schema.ts';
import { hostCursor, listHosts, listHostsBefore } from '@/server/hosts/queries.ts';
import { bootableImageChoices, networkChoices, roleChoices } from '../_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Hosts · Fleetboot' };

const hostsPerPage = 50;
const pageSizes = [25, 50, 100, 200] as const;
const filterKeys = hostFilterKeys;
const sortKeys = ['sort', 'order', 'limit'] as const;

export default async function HostsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const actor = await requirePageActor();
  const params = flatParams(await searchParams);
  const filters = hostListQuery.safeParse(params);
  const paging = pageQuery.safeParse({ limit: hostsPerPage, ...params });
  const badQuery = !filters.success || !paging.success;
  const query = {
    ...(filters.success ? filters.data : hostListQuery.parse({})),
    ...(paging.success ? paging.data : pageQuery.parse({ limit: hostsPerPage })),
  };
  // Previous reads backwards from the first host of the page after; lastSeenAt can't (never-seen hosts come last both ways).
  const backwards = query.sort !== 'lastSeenAt';
  const [page, roles, networks, images, saved] = await Promise.all([
    (params.before && backwards ? listHostsBefore(query, params.before) : listHosts(query)).catch((err: unknown) => {
      // A stale or hand-edited cursor: say so instead of failing the page.
      if (err instanceof DomainError) return null;
      throw err;
    }),
    roleChoices(),
    networkChoices(),
    bootableImageChoices(),
    listSavedFilters(actor.userId),
  ]);
  const pageNo = pageNumber(params);
  const readBack = (page as { prevCursor?: string | null } | null)?.prevCursor;
  const prevCursor: string | null | undefined = !backwards || !page ? undefined : readBack !== undefined ? readBack : pageNo > 1 && page.items[0] ? hostCursor(page.items[0], query.sort) : null;
  const filterValues: Record<string, string | undefined> = Object.fromEntries(filterKeys.map((k) => [k, params[k]]));
  const bulkFilter = Object.fromEntries(Object.entries(filterValues).filter((e): e is [string, string] => Boolean(e[1])));
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
      <BulkPowerPanel canEdit={canEdit} />
      <Panel>
        <HostFilters values={params} roles={roles} networks={networks} states={hostStates} />
        <SavedFilters saved={saved.items} query={filtered ? new URLSearchParams(Object.entries(listValues).filter((e): e is [string, string] => Boolean(e[1]))).toString() : ''} />
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
          <HostSelectionProvider key={JSON.stringify(bulkFilter)} pageIds={page.items.map((h) => h.id)} total={page.total ?? page.items.length} filter={bulkFilter}>
            {canEdit ? <HostBulkBar roles={roles} networks={networks} images={images} /> : null}
            {canEdit ? <SelectAllMatchingNote /> : null}
            <Table label="Hosts">
              <thead>
                <tr>
                  {canEdit ? <Th className="w-8"><HostPageCheckbox /></Th> : null}
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
                        <HostRowCheckbox id={h.id} hostname={h.hostname} />
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
            <CursorPagination basePath="/hosts" params={listValues} nextCursor={page.nextCursor} page={pageNo} shown={page.items.length} total={page.total} noun="hosts" prevCursor={prevCursor} pageSize={query.limit} pageSizes={pageSizes} />
          </HostSelectionProvider>
        )}
      </Panel>
    </>
  );
}
