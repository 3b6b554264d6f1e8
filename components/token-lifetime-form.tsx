'use client';
// Admins set how long API tokens live: the default for a token made without an expiry, and
// the longest any token may ask for.
import { SubmitButton } from './submit-button.tsx';
import { FormError, TextField } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function TokenLifetimeForm({ settings }: { settings: { tokenDefaultDays: number; tokenMaxDays: number } }) {
  const form = useApiForm(['tokenDefaultDays', 'tokenMaxDays']);
  return (
    <form
      aria-label="API token lifetime"
      onSubmit={async (e) => {
        e.preventDefault();
        const v = readForm(e.currentTarget);
        await form.submit({ method: 'PATCH', path: '/api/v1/settings', body: { tokenDefaultDays: v.int('tokenDefaultDays'), tokenMaxDays: v.int('tokenMaxDays') } }, { toast: 'Token lifetime saved' });
      }}
    >
      <FormError message={form.formError} />
      <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start">
        <TextField name="tokenDefaultDays" label="Default lifetime (days)" type="number" min={1} required defaultValue={String(settings.tokenDefaultDays)} error={form.fieldErrors.tokenDefaultDays} />
        <TextField name="tokenMaxDays" label="Longest lifetime (days)" type="number" min={1} required defaultValue={String(settings.tokenMaxDays)} error={form.fieldErrors.tokenMaxDays} />
        <SubmitButton pending={form.pending} pendingLabel="Saving…" className="sm:mt-6">
          Save
        </SubmitButton>
      </fieldset>
    </form>
  );
}
