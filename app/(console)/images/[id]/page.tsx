// One image: what it needs (root mode's artifacts, RAM, Secure Boot, firmware), upload its artifacts (with progress), stage it on a spare and watch the health
// gate, promote and roll out, roll the role back (DESIGN.md "Image lifecycle").
import Link from 'next/link';
import { ImageArtifactUpload } from '@/components/image-artifact-upload.tsx';
import { ImageLifecyclePanel } from '@/components/image-lifecycle-panel.tsx';
import { ImageNeedsList } from '@/components/image-needs-list.tsx';
import { KernelSignatureNote } from '@/components/kernel-signature-note.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { RamRootFit } from '@/components/ram-root-fit.tsx';
import { imageNeeds } from '@/lib/boot/image-needs.ts';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { imageFactsOf } from '@/server/images/image-facts.ts';
import { kernelSignatureOf, secureBootRefusal } from '@/server/images/kernel-signature.ts';
import { getImageOrThrow } from '@/server/images/queries.ts';
import { ramRootOfImage } from '@/server/images/ram-fit.ts';
import { listSpares } from '@/server/lifecycle/stage.ts';
import { getRoleOrThrow } from '@/server/roles/queries.ts';
import { findOr404 } from '../../_shared/find-or-404.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Image · Fleetboot' };

export default async function ImagePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const image = await findOr404((await params).id, getImageOrThrow);
  const canEdit = allows(actor, 'operator');
  const spares = canEdit ? await listSpares() : [];
  const signature = image.kernel ? await kernelSignatureOf(image.kernel) : null;
  const ramRoot = await ramRootOfImage(image);
  const role = await getRoleOrThrow(image.roleId);
  const needs = imageNeeds(role, image, await imageFactsOf(image, role));
  const artifact = (a: { sha256: string; sizeBytes: bigint } | null) => (a ? { sha256: a.sha256, sizeBytes: Number(a.sizeBytes) } : null);
  return (
    <>
      <PageHeader
        title={`${image.role.name} ${image.version}`}
        description={
          <>
            Image of role{' '}
            <Link href={`/roles/${image.roleId}`} className="text-blue-700 hover:underline">
              {image.role.name}
            </Link>
            {image.notes ? ` · ${image.notes}` : ''}
          </>
        }
        actions={
          <Link href={`/images?roleId=${image.roleId}`} className="text-sm text-blue-700 hover:underline">
            All images of {image.role.name}
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Panel title="What it needs" className="lg:col-span-2">
          <div className="px-4 py-1">
            <ImageNeedsList needs={needs} />
          </div>
        </Panel>
        <Panel title="Artifacts">
          <div className="px-4 py-1">
            {canEdit ? (
              (['kernel', 'initrd', 'rootfs'] as const).map((kind) => (
                <ImageArtifactUpload key={kind} imageId={image.id} kind={kind} needsForce={image.status !== 'uploading'} current={artifact(image[kind])} />
              ))
            ) : (
              <p className="py-3 text-sm text-slate-600">You have view-only access ({actor.role}).</p>
            )}
            {signature ? <KernelSignatureNote signature={signature} refusedByRole={image.role.uefiBootChain === 'secure_boot' && secureBootRefusal(signature) !== null} roleName={image.role.name} /> : null}
            <p className="py-2 text-xs text-slate-500">
              Scripts: <code>curl -T file -H &apos;X-Checksum-Sha256: …&apos; -H &apos;Authorization: Bearer fbt_…&apos; …/api/v1/images/{image.id}/artifacts/kernel</code>
            </p>
          </div>
        </Panel>
        {ramRoot ? (
          <Panel title="Root in RAM">
            <div className="px-4">
              <RamRootFit view={ramRoot} />
            </div>
          </Panel>
        ) : null}
        <Panel title="Lifecycle">
          <ImageLifecyclePanel imageId={image.id} roleId={image.roleId} canEdit={canEdit} spares={spares} />
        </Panel>
      </div>
    </>
  );
}
