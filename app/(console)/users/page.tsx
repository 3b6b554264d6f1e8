// Console users (admins only): create, change role, reset a password, disable; how long API
// tokens live; user names and addresses the sign-in throttle is slowing down, with an unlock.
import { redirect } from 'next/navigation';
import { Badge } from '@/components/badge.tsx';
import { Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { UserCreateForm } from '@/components/user-create-form.tsx';
import { UserRowControls } from '@/components/user-row-controls.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { None } from '@/components/data-table.tsx';
import { PasswordResetForm } from '@/components/password-reset-form.tsx';
import { TokenLifetimeForm } from '@/components/token-lifetime-form.tsx';
import { listSignInThrottles } from '@/server/sign-in-throttles/queries.ts';
import { getConsoleSettings } from '@/server/settings/queries.ts';
import { listUsers } from '@/server/users/queries.ts';
import { userRoles } from '@/server/auth/actor.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Users · Fleetboot' };

export default async function UsersPage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'admin')) redirect('/');
  const [users, settings, throttles] = await Promise.all([listUsers(), getConsoleSettings(), listSignInThrottles()]);
  const now = new Date();
  const roles = userRoles.map((r) => ({ value: r, label: r }));
  return (
    <>
      <PageHeader title="Users" description="Admins manage users; operators change the fleet; viewers only look." />
      <Panel title="Create a user" className="mb-6">
        <div className="p-4">
          <UserCreateForm roles={roles} />
        </div>
      </Panel>
      <Panel title="Users">
        <Table label="Users">
          <thead>
            <tr>
              <Th>Username</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th>Role and access</Th>
            </tr>
          </thead>
          <TBody>
            {users.map((u) => (
              <tr key={u.id}>
                <Td className="font-medium">
                  {u.username}
                  {u.id === actor.userId ? <span className="ml-2 text-xs text-slate-500">(you)</span> : null}
                </Td>
                <Td>{u.disabled ? <Badge tone="grey">disabled</Badge> : <Badge tone="green">active</Badge>}</Td>
                <Td className="text-xs text-slate-600">
                  <TimeText date={u.createdAt} />
                </Td>
                <Td>
                  <div className="flex flex-col gap-2">
                    <UserRowControls key={`${u.role}-${u.disabled}`} user={{ id: u.id, username: u.username, role: u.role, disabled: u.disabled }} roles={roles} isSelf={u.id === actor.userId} />
                    <PasswordResetForm user={{ id: u.id, username: u.username }} />
                  </div>
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      </Panel>
      <Panel title="Failed sign-ins" className="mt-6">
        {throttles.length === 0 ? (
          <p className="p-4 text-sm text-slate-600">No user name or address has failed sign-ins in the last 15 minutes.</p>
        ) : (
          <Table label="Failed sign-ins">
            <thead>
              <tr>
                <Th>User name or address</Th>
                <Th>Failures</Th>
                <Th>Status</Th>
                <Th>Last attempt</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <TBody>
              {throttles.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium">
                    <span className="mr-2 text-xs text-slate-500">{t.kind === 'user' ? 'user' : 'address'}</span>
                    {t.value}
                  </Td>
                  <Td>{t.failures}</Td>
                  <Td>
                    {t.lockedUntil && t.lockedUntil > now ? (
                      <Badge tone="red">
                        locked until <TimeText date={t.lockedUntil} />
                      </Badge>
                    ) : t.nextAttemptAt > now ? (
                      <Badge tone="amber">
                        next attempt after <TimeText date={t.nextAttemptAt} />
                      </Badge>
                    ) : (
                      <None label="counting" />
                    )}
                  </Td>
                  <Td className="text-xs text-slate-600">
                    <TimeText date={t.lastAttemptAt} />
                  </Td>
                  <Td className="text-right">
                    <ConfirmDeleteButton path={`/api/v1/sign-in-throttles/${t.id}`} what={`${t.kind} ${t.value}`} label="Unlock" consequence="Its failures are forgotten." />
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Panel>
      <Panel title="API token lifetime" className="mt-6">
        <div className="p-4">
          <TokenLifetimeForm settings={settings} />
        </div>
      </Panel>
    </>
  );
}
