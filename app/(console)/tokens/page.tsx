// API tokens for scripts: create (secret shown once), list by prefix, revoke.
import { Badge } from '@/components/badge.tsx';
import { ConfirmDeleteButton } from '@/components/confirm-delete-button.tsx';
import { Table, TBody, Td, Th } from '@/components/data-table.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { PageHeader, Panel } from '@/components/page-header.tsx';
import { TimeText } from '@/components/time-text.tsx';
import { TokenCreateForm } from '@/components/token-create-form.tsx';
import { allows, type Role } from '@/server/auth/actor.ts';
import { requirePageActor } from '@/server/auth/page-session.ts';
import { getConsoleSettings } from '@/server/settings/queries.ts';
import { listTokens, type PublicToken } from '@/server/tokens/queries.ts';
import { userRoles } from '@/server/auth/actor.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'API tokens · Fleetboot' };

function TokenStatus({ token, now }: { token: PublicToken; now: Date }) {
  if (token.revokedAt) return <Badge tone="grey">revoked</Badge>;
  if (token.expiresAt < now) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}

export default async function TokensPage() {
  const actor = await requirePageActor();
  const [tokens, settings] = await Promise.all([listTokens(actor), getConsoleSettings()]);
  const now = new Date();
  // A token can't have more rights than its owner: offer the actor's role and below.
  const roles = userRoles.filter((r: Role) => allows(actor, r)).map((r) => ({ value: r, label: r }));

  return (
    <>
      <PageHeader title="API tokens" description={actor.role === 'admin' ? 'Tokens for scripts, everyone\u2019s (you are an admin).' : 'Your tokens for scripts.'} />
      <Panel title="Create a token" className="mb-6">
        <div className="p-4">
          <TokenCreateForm roles={roles} lifetime={settings} />
        </div>
      </Panel>
      <Panel title="Tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens yet">Create one for each script or tool, so each can be revoked alone.</EmptyState>
        ) : (
          <Table label="API tokens">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Prefix</Th>
                <Th>Role</Th>
                <Th>Owner</Th>
                <Th>Status</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Expires</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <TBody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <Td className="font-medium whitespace-nowrap">{t.name}</Td>
                  <Td className="font-mono text-xs">{t.prefix}…</Td>
                  <Td>{t.role}</Td>
                  <Td>{t.username}</Td>
                  <Td>
                    <TokenStatus token={t} now={now} />
                  </Td>
                  <Td className="text-xs text-slate-600">
                    <TimeText date={t.createdAt} />
                  </Td>
                  <Td className="text-xs text-slate-600">
                    <TimeText date={t.lastUsedAt} />
                  </Td>
                  <Td className="text-xs text-slate-600">
                    <TimeText date={t.expiresAt} />
                  </Td>
                  <Td className="text-right">
                    {t.revokedAt ? null : <ConfirmDeleteButton path={`/api/v1/tokens/${t.id}`} what={`token ${t.name}`} label="Revoke" consequence="Scripts using it stop working at once." />}
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Panel>
    </>
  );
}
