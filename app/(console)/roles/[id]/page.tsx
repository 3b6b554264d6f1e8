// One role: its settings (read-only for viewers), the images it can make active and what each needs, delete.
import Link from 'next/link';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { ImageNeedsList } from '@/components/image-needs-list.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { RoleForm } from '@/components/role-form.tsx';
import { imageNeeds, unmetNeedsText } from '@/lib/boot/image-needs.ts';
import { maxPageSize } from '@/server/listing/pagination.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { imageFactsOf } from '@/server/images/image-facts.ts';
import { refusedKernelsOfRole } from '@/server/images/kernel-signature.ts';
import { listImages } from '@/server/images/queries.ts';
import { getRoleOrThrow } from '@/server/roles/queries.ts';
import { cmdlineVariables } from '@/server/roles/schema.ts';
import { findOr404 } from '../../_shared/find-or-404.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Role · Fleetboot' };

/** Statuses an image may have to become a role's active image by hand (server/roles rules): past the gate, or forced by an admin. */
const activatable = new Set(['verified', 'active']);
const activatableForced = new Set(['ready', 'verified', 'active']);

export default async function RolePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const role = await findOr404((await params).id, getRoleOrThrow);
  const images = await listImages({ roleId: role.id, limit: maxPageSize, order: 'desc', sort: 'createdAt' });
  const canEdit = allows(actor, 'operator');
  const canForce = allows(actor, 'admin');
  const choosable = canForce ? activatableForced : activatable;
  const candidates = images.items.filter((i) => choosable.has(i.status) || i.id === role.activeImageId);
  // What each image the role may make active needs, so choosing one says what it takes.
  const needsOf = new Map(await Promise.all(candidates.map(async (i) => [i.id, imageNeeds(role, i, await imageFactsOf(i, role, { signature: role.uefiBootChain === 'secure_boot' }))] as const)));
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
        actions={canEdit ? <ConfirmDeleteButton path={`/api/v1/roles/${role.id}`} what={`role ${role.name}`} redirectTo="/roles" consequence="Its images go too. Refused while hosts have this role or an image of it is active or on trial." /> : null}
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
            images={candidates.map((i) => ({ value: i.id, label: `${i.version} (${i.status})${i.status === 'ready' ? ', not through the gate (force)' : ''}${unmetNeedsText(needsOf.get(i.id) ?? []) ? ': would not boot' : ''}` }))}
            canForce={canForce}
            cmdlineVariables={cmdlineVariables}
            readOnly={!canEdit}
          />
        </div>
      </Panel>
      {candidates.length ? (
        <Panel title="What its images need" className="mt-6 max-w-4xl">
          <div className="divide-y divide-slate-200 px-4" data-testid="role-image-needs">
            {candidates.map((i) => (
              <div key={i.id} className="py-2" data-testid={`role-image-needs-${i.version}`}>
                <p className="text-sm font-medium">
                  <Link href={`/images/${i.id}`} className="text-blue-700 hover:underline">
                    {i.version}
                  </Link>{' '}
                  <span className="font-normal text-slate-600">({i.id === role.activeImageId ? 'active' : i.status})</span>
                </p>
                <ImageNeedsList needs={needsOf.get(i.id) ?? []} />
              </div>
            ))}
          </div>
        </Panel>
      ) : null}
    </>
  );
}
