'use client';
// Create an API token. Its secret is shown here once, with a copy button; the server keeps
// only its hash, so after leaving or reloading the page only the prefix is ever shown again.
import { useState } from 'react';
import { SecretShownOnce } from './secret-shown-once.tsx';
import { SubmitButton } from './submit-button.tsx';
import { FormError, SelectField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function TokenCreateForm({ roles, lifetime }: { roles: Choice[]; lifetime: { tokenDefaultDays: number; tokenMaxDays: number } }) {
  const form = useApiForm(['name', 'role', 'expiresInDays']);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  return (
    <div className="flex flex-col gap-4">
      {created ? (
        <SecretShownOnce label="New token secret" testId="token-secret" secret={created.secret} onDone={() => setCreated(null)} title={<>Token <strong>{created.name}</strong> created: this is its secret.</>}>
          Send it as <code className="font-mono">Authorization: Bearer &lt;secret&gt;</code>.
        </SecretShownOnce>
      ) : null}
      <form
        aria-label="Create an API token"
        onSubmit={async (e) => {
          e.preventDefault();
          const el = e.currentTarget;
          const v = readForm(el);
          const body = { name: v.text('name'), role: v.text('role') || undefined, expiresInDays: v.int('expiresInDays') };
          const result = await form.submit<{ token: { name: string }; secret: string }>({ method: 'POST', path: '/api/v1/tokens', body }, { toast: (r) => `Token ${r.token.name} created` });
          if (result.ok) {
            setCreated({ name: result.data.token.name, secret: result.data.secret });
            el.reset();
          }
        }}
      >
        <FormError message={form.formError} />
        <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-start">
          <TextField name="name" label="Token name" required placeholder="deploy-script" error={form.fieldErrors.name} />
          <SelectField name="role" label="Token role" defaultValue="viewer" choices={roles} error={form.fieldErrors.role} hint="At most your own role; the least a script needs is safest." />
          <TextField name="expiresInDays" label="Expires in (days)" type="number" min={1} max={lifetime.tokenMaxDays} placeholder={String(lifetime.tokenDefaultDays)} error={form.fieldErrors.expiresInDays} hint={`At most ${lifetime.tokenMaxDays}.`} />
          <SubmitButton pending={form.pending} pendingLabel="Creating…" className="sm:mt-6">
            Create token
          </SubmitButton>
        </fieldset>
      </form>
    </div>
  );
}
