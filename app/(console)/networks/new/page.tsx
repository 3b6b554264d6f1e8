// Create a boot network (operators and admins).
import { redirect } from 'next/navigation';
import { NetworkForm } from '@/components/network-form.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { bootServerChoices } from '@/server/boot-servers/queries.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'New network · Fleetboot' };

export default async function NewNetworkPage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'operator')) redirect('/networks');
  return (
    <>
      <PageHeader title="New network" description="Name and CIDR are required; the rest can come later." />
      <Panel className="max-w-4xl">
        <div className="p-4">
          <NetworkForm bootServers={await bootServerChoices()} />
        </div>
      </Panel>
    </>
  );
}
