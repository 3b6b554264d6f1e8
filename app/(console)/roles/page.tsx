// Roles: how each kind of host boots, its active image and how many hosts have it.
import Link from 'next/link';
import { ButtonLink } from '@/components/button.tsx';
import { CursorPagination } from '@/components/cursor-pagination.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { flatParams, pageNumber, type PageSearchParams } from '@/components/search-params.ts';
import { pageQuery } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listRoles } from '@/server/roles/queries.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Roles · Fleetboot' };

export default async function RolesPage({ searchParams }: { searchParams: PageSearchParams }) {
  const actor = await requirePageActor();
  const params = flatParams(await searchParams);
  const paging = pageQuery.safeParse({ limit: 100, cursor: params.cursor });
  const page = await listRoles({ ...(paging.success ? paging.data : pageQuery.parse({ limit: 100 })), sort: 'name' });
  const canEdit = allows(actor, 'operator');
  return (
    <>
      <PageHeader
        title="Roles"
        description="What a kind of host boots and how: root mode, bootloader, kernel command line, image rollout."
        actions={canEdit ? <ButtonLink href="/roles/new">New role</ButtonLink> : null}
      />
      <Panel>
        {page.items.length === 0 ? (
          <EmptyState title="No roles yet" action={canEdit ? <ButtonLink href="/roles/new">Create the first role</ButtonLink> : null}>
            A role (web, db, lvs…) says what its hosts boot. Give hosts a role, then register images for it.
          </EmptyState>
        ) : (
          <>
            <Table label="Roles">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Root</Th>
                  <Th>Bootloader</Th>
                  <Th>Active image</Th>
                  <Th>Rollout</Th>
                  <Th>Stall after</Th>
                  <Th className="text-right">Hosts</Th>
                </tr>
              </thead>
              <TBody>
                {page.items.map((r) => (
                  <tr key={r.id} className="hover:bg-slate-50">
                    <Td>
                      <Link href={`/roles/${r.id}`} className="font-medium whitespace-nowrap text-blue-700 hover:underline">
                        {r.name}
                      </Link>
                      {r.description ? <p className="max-w-xs truncate text-xs text-slate-500">{r.description}</p> : null}
                    </Td>
                    <Td>{r.rootMode}</Td>
                    <Td>
                      {r.bootLoader}
                      {r.uefiBootChain === 'secure_boot' ? <p className="text-xs text-slate-500">UEFI: Secure Boot</p> : null}
                    </Td>
                    <Td className="font-mono text-xs">{r.activeImageVersion ?? <None label="no active image" />}</Td>
                    <Td className="text-xs text-slate-600">
                      batches of {r.rolloutBatchSize}, ≤ {r.rolloutMaxConcurrent} at once
                    </Td>
                    <Td className="whitespace-nowrap tabular-nums">{r.stallSeconds} s</Td>
                    <Td className="text-right tabular-nums">
                      <Link href={`/hosts?roleId=${r.id}`} className="text-blue-700 hover:underline">
                        {r.hostCount}
                      </Link>
                    </Td>
                  </tr>
                ))}
              </TBody>
            </Table>
            <CursorPagination basePath="/roles" params={{}} nextCursor={page.nextCursor} page={pageNumber(params)} shown={page.items.length} total={page.total} noun="roles" />
          </>
        )}
      </Panel>
    </>
  );
}
