// Create a role (operators and admins).
import { redirect } from 'next/navigation';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { RoleForm } from '@/components/role-form.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { cmdlineVariables } from '@/server/roles/schema.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'New role · Fleetboot' };

export default async function NewRolePage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'operator')) redirect('/roles');
  return (
    <>
      <PageHeader title="New role" description="Only the name is required; the defaults boot a RAM root with PXELINUX." />
      <Panel className="max-w-4xl">
        <div className="p-4">
          <RoleForm cmdlineVariables={cmdlineVariables} />
        </div>
      </Panel>
    </>
  );
}
