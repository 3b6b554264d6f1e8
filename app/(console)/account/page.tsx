// Your account: who you are, and your password (any role may change their own).
import Link from 'next/link';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { PasswordChangeForm } from '@/components/password-change-form.tsx';
import { requirePageActor } from '@/server/auth/page-session.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Account · Fleetboot' };

export default async function AccountPage() {
  const actor = await requirePageActor();
  return (
    <>
      <PageHeader title="Account" description={`Signed in as ${actor.username} (${actor.role}).`} />
      <Panel title="Change your password" className="mb-6">
        <div className="flex flex-col gap-3 p-4">
          <p className="text-sm text-slate-600">
            Changing it signs you out everywhere else and revokes your API tokens (make new ones on{' '}
            <Link href="/tokens" className="font-medium text-blue-700 underline">
              Tokens
            </Link>
            ).
          </p>
          <PasswordChangeForm />
        </div>
      </Panel>
    </>
  );
}
