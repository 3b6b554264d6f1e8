// Console users (admins only): create, change role, disable.
import { redirect } from 'next/navigation';
import { Badge } from '@/components/badge.tsx';
import { Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { UserCreateForm } from '@/components/user-create-form.tsx';
import { UserRowControls } from '@/components/user-row-controls.tsx';
import { allows } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { listUsers } from '@/server/users/queries.ts';
import { userRoles } from '@/server/users/schema.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Users · Fleetboot' };

export default async function UsersPage() {
  const actor = await requirePageActor();
  if (!allows(actor, 'admin')) redirect('/');
  const users = await listUsers();
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
                  <UserRowControls key={`${u.role}-${u.disabled}`} user={{ id: u.id, username: u.username, role: u.role, disabled: u.disabled }} roles={roles} isSelf={u.id === actor.userId} />
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      </Panel>
    </>
  );
}
