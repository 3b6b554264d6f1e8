// Images by role with their lifecycle status; operators register new versions here.
import Link from 'next/link';
import { ImageStatusBadge } from '@/components/badge.tsx';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { None, Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { ImageRegisterForm } from '@/components/image-register-form.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { flatParams, type PageSearchParams } from '@/components/search-params.ts';
import { TimeText } from '@/components/time-text.tsx';
import { maxPageSize } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listImages, type ImageWithArtifacts } from '@/server/images/queries.ts';
import { imageListQuery } from '@/server/images/schema.ts';
import { roleChoices } from '../_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Images · Fleetboot' };

function shortSha(sha: string | null) {
  return sha ? <span title={sha}>{sha.slice(0, 12)}</span> : <None label="not uploaded" />;
}

export default async function ImagesPage({ searchParams }: { searchParams: PageSearchParams }) {
  const actor = await requirePageActor();
  const params = flatParams(await searchParams);
  const filter = imageListQuery.safeParse({ roleId: params.roleId });
  const [roles, page] = await Promise.all([
    roleChoices(),
    listImages({ ...(filter.success ? filter.data : imageListQuery.parse({})), limit: maxPageSize, order: 'desc' }),
  ]);
  const byRole = new Map<string, ImageWithArtifacts[]>();
  for (const image of page.items) byRole.set(image.role.name, [...(byRole.get(image.role.name) ?? []), image]);
  const canEdit = allows(actor, 'operator');

  return (
    <>
      <PageHeader
        title="Images"
        description="Kernel, initrd and root filesystem per role and version: uploading → ready → trial → verified → active → retired (or failed)."
        actions={
          params.roleId ? (
            <Link href="/images" className="text-sm text-blue-700 hover:underline">
              Show every role
            </Link>
          ) : null
        }
      />
      {canEdit ? (
        <Panel title="Register an image version" className="mb-6">
          <div className="p-4">
            {roles.length === 0 ? (
              <p className="text-sm text-slate-600">
                Images belong to a role. <Link href="/roles/new" className="text-blue-700 underline">Create a role</Link> first.
              </p>
            ) : (
              <ImageRegisterForm roles={roles} defaultRoleId={params.roleId} />
            )}
          </div>
        </Panel>
      ) : null}
      {byRole.size === 0 ? (
        <Panel>
          <EmptyState title="No images yet">Register a version for a role; its kernel, initrd and root filesystem are uploaded to it afterwards.</EmptyState>
        </Panel>
      ) : (
        <div className="flex flex-col gap-6">
          {page.nextCursor ? <p className="text-sm text-slate-600">Showing the newest {page.items.length} of {page.total} images; pick a role to see its own.</p> : null}
          {[...byRole.entries()].map(([roleName, images]) => (
            <Panel key={roleName} title={`Role ${roleName}`}>
              <Table label={`Images of role ${roleName}`}>
                <thead>
                  <tr>
                    <Th>Version</Th>
                    <Th>Status</Th>
                    <Th>Kernel</Th>
                    <Th>Initrd</Th>
                    <Th>Root fs</Th>
                    <Th>Registered</Th>
                    <Th>Notes</Th>
                    {canEdit ? <Th><span className="sr-only">Actions</span></Th> : null}
                  </tr>
                </thead>
                <TBody>
                  {images.map((i) => (
                    <tr key={i.id}>
                      <Td className="font-mono text-xs font-medium">
                        <Link href={`/images/${i.id}`} className="text-blue-700 hover:underline">
                          {i.version}
                        </Link>
                      </Td>
                      <Td>
                        <ImageStatusBadge status={i.status} />
                      </Td>
                      <Td className="font-mono text-xs">{shortSha(i.kernelSha256)}</Td>
                      <Td className="font-mono text-xs">{shortSha(i.initrdSha256)}</Td>
                      <Td className="font-mono text-xs">{shortSha(i.rootfsSha256)}</Td>
                      <Td className="text-xs text-slate-600">
                        <TimeText date={i.createdAt} />
                        {i.createdBy ? <span className="block">by {i.createdBy}</span> : null}
                      </Td>
                      <Td className="max-w-xs truncate text-slate-600" title={i.notes}>
                        {i.notes || <None />}
                      </Td>
                      {canEdit ? (
                        <Td className="text-right">
                          <ConfirmDeleteButton path={`/api/v1/images/${i.id}`} what={`image ${roleName} ${i.version}`} />
                        </Td>
                      ) : null}
                    </tr>
                  ))}
                </TBody>
              </Table>
            </Panel>
          ))}
        </div>
      )}
    </>
  );
}
