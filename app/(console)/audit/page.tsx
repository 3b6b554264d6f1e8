// The audit log: who changed what and when, before → after; newest first, filterable.
import Link from 'next/link';
import { AuditDiff } from '@/components/audit-diff.tsx';
import { Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { SelectField, TextField } from '@/components/form-field.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { flatParams, pageNumber, type PageSearchParams } from '@/components/search-params.ts';
import { CursorPagination } from '@/components/cursor-pagination.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { auditListQuery, listAudit } from '@/server/audit/queries.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Audit · Fleetboot' };

const entities = ['host', 'network', 'role', 'image', 'user', 'token'];
const entriesPerPage = 50;

function entityHref(entity: string, id: string | null): string | null {
  if (!id) return null;
  if (['host', 'network', 'role'].includes(entity)) return `/${entity}s/${id}`;
  return null;
}

export default async function AuditPage({ searchParams }: { searchParams: PageSearchParams }) {
  await requirePageActor();
  const params = flatParams(await searchParams);
  const query = auditListQuery.safeParse({ limit: entriesPerPage, entity: params.entity, actor: params.actor, before: params.before });
  const page = await listAudit(query.success ? query.data : auditListQuery.parse({ limit: entriesPerPage }));

  return (
    <>
      <PageHeader title="Audit log" description="Every change made through the console or the API: who, when, what, before → after." />
      <Panel>
        <form method="get" action="/audit" role="search" className="grid grid-cols-1 gap-3 border-b border-slate-200 p-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <SelectField name="entity" label="Entity" defaultValue={params.entity ?? ''} choices={[{ value: '', label: 'Everything' }, ...entities.map((e) => ({ value: e, label: e }))]} />
          <TextField name="actor" label="Who" defaultValue={params.actor ?? ''} placeholder="username" />
          <div className="flex items-center gap-2 pb-0.5">
            <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-900">
              Filter
            </button>
            <Link href="/audit" className="px-2 py-1.5 text-sm text-slate-600 hover:text-slate-900">
              Clear
            </Link>
          </div>
        </form>
        {page.items.length === 0 ? (
          <EmptyState title="Nothing in the audit log matches">Changes appear here as soon as anyone makes one.</EmptyState>
        ) : (
          <>
            <Table label="Audit log">
              <thead>
                <tr>
                  <Th>When</Th>
                  <Th>Who</Th>
                  <Th>Action</Th>
                  <Th>Entity</Th>
                  <Th className="w-1/2">Change</Th>
                </tr>
              </thead>
              <TBody>
                {page.items.map((a) => {
                  const href = entityHref(a.entity, a.entityId);
                  return (
                    <tr key={String(a.id)}>
                      <Td className="text-xs text-slate-600">
                        <TimeText date={a.at} />
                      </Td>
                      <Td className="font-medium">{a.actor}</Td>
                      <Td>{a.action}</Td>
                      <Td>
                        {href ? (
                          <Link href={href} className="text-blue-700 hover:underline">
                            {a.entity}
                          </Link>
                        ) : (
                          a.entity
                        )}
                        {a.entityId ? <span className="block font-mono text-[11px] text-slate-400">{a.entityId.slice(0, 8)}</span> : null}
                      </Td>
                      <Td>
                        <AuditDiff before={a.before} after={a.after} />
                      </Td>
                    </tr>
                  );
                })}
              </TBody>
            </Table>
            <CursorPagination
              basePath="/audit"
              params={{ entity: params.entity, actor: params.actor }}
              nextCursor={page.nextBefore}
              cursorParam="before"
              page={pageNumber(params)}
              shown={page.items.length}
              noun="entries"
              firstLabel="Newest"
              nextLabel="Older entries"
            />
          </>
        )}
      </Panel>
    </>
  );
}
