// Bulk import of hosts (operators and admins).
import { redirect } from 'next/navigation';
import { HostImportForm } from '@/components/host-import-form.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Import hosts · Fleetboot' };

export default async function ImportHostsPage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'operator')) redirect('/hosts');
  return (
    <>
      <PageHeader title="Import hosts" description="All or nothing: if any row is wrong, nothing is imported and each bad row is listed." />
      <Panel className="max-w-4xl">
        <div className="p-4">
          <HostImportForm />
        </div>
      </Panel>
    </>
  );
}
