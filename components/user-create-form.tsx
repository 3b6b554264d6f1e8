'use client';
// Admins create console users with a first password and a role.
import { SubmitButton } from './submit-button.tsx';
import { FormError, SelectField, TextField, type Choice } from './form-field.tsx';
import { readForm } from './form-values.ts';
import { useApiForm } from './use-api-form.ts';

export function UserCreateForm({ roles }: { roles: Choice[] }) {
  const form = useApiForm(['username', 'password', 'role']);
  return (
    <form
      aria-label="Create a user"
      onSubmit={async (e) => {
        e.preventDefault();
        const el = e.currentTarget;
        const v = readForm(el);
        const body = { username: v.text('username'), password: String(new FormData(el).get('password') ?? ''), role: v.text('role') };
        const result = await form.submit<{ username: string }>({ method: 'POST', path: '/api/v1/users', body }, { toast: (u) => `User ${u.username} created` });
        if (result.ok) el.reset();
      }}
    >
      <FormError message={form.formError} />
      <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-start">
        <TextField name="username" label="Username" required autoComplete="off" error={form.fieldErrors.username} />
        <TextField name="password" label="Password" type="password" required autoComplete="new-password" error={form.fieldErrors.password} hint="At least 10 characters." />
        <SelectField name="role" label="Role" defaultValue="viewer" choices={roles} error={form.fieldErrors.role} />
        <SubmitButton pending={form.pending} pendingLabel="Creating…" className="sm:mt-6">
          Create user
        </SubmitButton>
      </fieldset>
    </form>
  );
}
