// Register one host (operators and admins).
import { redirect } from 'next/navigation';
import { HostForm } from '@/components/host-form.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { bootableImageChoices, networkChoices, roleChoices } from '../../_shared/choices.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'New host · Fleetboot' };

export default async function NewHostPage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'operator')) redirect('/hosts');
  const [roles, networks, images] = await Promise.all([roleChoices(), networkChoices(), bootableImageChoices()]);
  return (
    <>
      <PageHeader title="New host" description="Only the hostname is required. Without a MAC the host waits for its hardware." />
      <Panel className="max-w-4xl">
        <div className="p-4">
          <HostForm roles={roles} networks={networks} images={images} />
        </div>
      </Panel>
    </>
  );
}
