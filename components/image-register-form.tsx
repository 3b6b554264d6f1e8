'use client';
// Register an image version for a role (its metadata; the artifact upload comes later).
import { SubmitButton } from './submit-button.tsx';
import { FormError, SelectField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function ImageRegisterForm({ roles, defaultRoleId }: { roles: Choice[]; defaultRoleId?: string }) {
  const form = useApiForm(['roleId', 'version', 'notes']);
  return (
    <form
      aria-label="Register an image version"
      onSubmit={async (e) => {
        e.preventDefault();
        const el = e.currentTarget;
        const v = readForm(el);
        const body = { roleId: v.text('roleId'), version: v.text('version'), notes: v.text('notes') };
        const result = await form.submit<{ version: string }>({ method: 'POST', path: '/api/v1/images', body }, { toast: (i) => `Image ${i.version} registered` });
        if (result.ok) el.reset();
      }}
    >
      <FormError message={form.formError} />
      <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_1fr_2fr_auto] sm:items-start">
        <SelectField name="roleId" label="Role" required defaultValue={defaultRoleId ?? ''} error={form.fieldErrors.roleId} choices={[{ value: '', label: 'Pick a role' }, ...roles]} />
        <TextField name="version" label="Version" required placeholder="2026.11.1" error={form.fieldErrors.version} />
        <TextField name="notes" label="Notes" placeholder="what changed" error={form.fieldErrors.notes} />
        <SubmitButton pending={form.pending} pendingLabel="Registering…" className="sm:mt-6">
          Register
        </SubmitButton>
      </fieldset>
    </form>
  );
}
