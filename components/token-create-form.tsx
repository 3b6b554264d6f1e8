'use client';
// Create an API token. Its secret is shown here once, with a copy button; the server keeps
// only its hash, so after leaving or reloading the page only the prefix is ever shown again.
import { useState } from 'react';
import { Button } from './button.tsx';
import { SubmitButton } from './submit-button.tsx';
import { FormError, SelectField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function TokenCreateForm({ roles }: { roles: Choice[] }) {
  const form = useApiForm(['name', 'role', 'expiresInDays']);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);

  return (
    <div className="flex flex-col gap-4">
      {created ? (
        <div role="region" aria-label="New token secret" className="rounded-md border border-green-300 bg-green-50 p-4">
          <p className="text-sm font-medium text-green-900">
            Token <strong>{created.name}</strong> created. Copy its secret now: it is shown only this once.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code data-testid="token-secret" className="min-w-0 flex-1 rounded border border-green-200 bg-white px-2 py-1.5 font-mono text-sm break-all text-slate-900">
              {created.secret}
            </code>
            <Button
              kind="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(created.secret).catch(() => undefined);
                setCopied(true);
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
            <Button kind="secondary" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
          <p className="mt-2 text-xs text-green-900">Send it as <code className="font-mono">Authorization: Bearer &lt;secret&gt;</code>.</p>
        </div>
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
            setCopied(false);
            el.reset();
          }
        }}
      >
        <FormError message={form.formError} />
        <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-start">
          <TextField name="name" label="Token name" required placeholder="deploy-script" error={form.fieldErrors.name} />
          <SelectField name="role" label="Token role" defaultValue="viewer" choices={roles} error={form.fieldErrors.role} hint="At most your own role; the least a script needs is safest." />
          <TextField name="expiresInDays" label="Expires in (days)" type="number" min={1} placeholder="never" error={form.fieldErrors.expiresInDays} />
          <SubmitButton pending={form.pending} pendingLabel="Creating…" className="sm:mt-6">
            Create token
          </SubmitButton>
        </fieldset>
      </form>
    </div>
  );
}
