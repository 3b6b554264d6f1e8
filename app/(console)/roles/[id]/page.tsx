// One role: its settings (read-only for viewers), the images it can make active, delete.
import Link from 'next/link';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { RoleForm } from '@/components/role-form.tsx';
import { maxPageSize } from '@/server/api/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { refusedKernelsOfRole } from '@/server/images/kernel-signature.ts';
import { listImages } from '@/server/images/queries.ts';
import { getRoleOrThrow } from '@/server/roles/queries.ts';
import { cmdlineVariables } from '@/server/roles/schema.ts';
import { findOr404 } from '../../_shared/find-or-404.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Role · Fleetboot' };

/** Statuses an image may have to become a role's active image (server/roles rules). */
const activatable = new Set(['ready', 'verified', 'active']);

export default async function RolePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const role = await findOr404((await params).id, getRoleOrThrow);
  const images = await listImages({ roleId: role.id, limit: maxPageSize, order: 'desc', sort: 'createdAt' });
  const canEdit = allows(actor, 'operator');
  const refusedKernels = role.uefiBootChain === 'secure_boot' ? await refusedKernelsOfRole(role, images.items) : [];
  return (
    <>
      <PageHeader
        title={role.name}
        description={
          <>
            {role.description || 'No description.'} ·{' '}
            <Link href={`/hosts?roleId=${role.id}`} className="text-blue-700 hover:underline">
              its hosts
            </Link>{' '}
            ·{' '}
            <Link href={`/images?roleId=${role.id}`} className="text-blue-700 hover:underline">
              its images
            </Link>
          </>
        }
        actions={canEdit ? <ConfirmDeleteButton path={`/api/v1/roles/${role.id}`} what={`role ${role.name}`} redirectTo="/roles" consequence="Its images go too; its hosts are left without a role." /> : null}
      />
      {canEdit ? null : <p className="mb-4 text-sm text-slate-600">You have view-only access ({actor.role}).</p>}
      {refusedKernels.length ? (
        <div role="alert" className="mb-4 max-w-4xl rounded border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          <p className="font-medium">This role boots UEFI hosts with Secure Boot, and Secure Boot would refuse these kernels:</p>
          <ul className="mt-1 list-disc pl-5">
            {refusedKernels.map(({ image, reason }) => (
              <li key={image.id}>
                <Link href={`/images/${image.id}`} className="text-blue-700 hover:underline">
                  {image.version}
                </Link>{' '}
                ({image.id === role.activeImageId ? 'active' : image.status}): {reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <Panel className="max-w-4xl">
        <div className="p-4">
          <RoleForm
            role={{
              id: role.id,
              name: role.name,
              description: role.description,
              rootMode: role.rootMode,
              bootLoader: role.bootLoader,
              uefiBootChain: role.uefiBootChain,
              cmdlineTemplate: role.cmdlineTemplate,
              nfsExport: role.nfsExport,
              diskRoot: role.diskRoot,
              healthCheck: role.healthCheck,
              activeImageId: role.activeImageId,
              rolloutBatchSize: role.rolloutBatchSize,
              rolloutMaxConcurrent: role.rolloutMaxConcurrent,
              stallSeconds: role.stallSeconds,
            }}
            images={images.items.filter((i) => activatable.has(i.status) || i.id === role.activeImageId).map((i) => ({ value: i.id, label: `${i.version} (${i.status})` }))}
            cmdlineVariables={cmdlineVariables}
            readOnly={!canEdit}
          />
        </div>
      </Panel>
    </>
  );
}
