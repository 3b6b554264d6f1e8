'use client';
// Change your own password (any role). Every session and API token of yours ends; this browser
// gets a new session, so you stay signed in here.
import { SubmitButton } from './submit-button.tsx';
import { FormError, TextField } from './form-field.tsx';
import { useApiForm } from './use-api-form.ts';

export function PasswordChangeForm() {
  const form = useApiForm(['currentPassword', 'newPassword']);
  return (
    <form
      aria-label="Change your password"
      onSubmit={async (e) => {
        e.preventDefault();
        const el = e.currentTarget;
        const data = new FormData(el);
        const body = { currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') };
        const result = await form.submit({ method: 'POST', path: '/api/v1/auth/password', body }, { toast: 'Password changed: your other sessions and your API tokens have ended' });
        if (result.ok) el.reset();
      }}
    >
      <FormError message={form.formError} />
      <fieldset disabled={form.pending} className="grid grid-cols-1 gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start">
        <TextField name="currentPassword" label="Current password" type="password" required autoComplete="current-password" error={form.fieldErrors.currentPassword} />
        <TextField name="newPassword" label="New password" type="password" required autoComplete="new-password" error={form.fieldErrors.newPassword} hint="At least 10 characters." />
        <SubmitButton pending={form.pending} pendingLabel="Changing…" className="sm:mt-6">
          Change password
        </SubmitButton>
      </fieldset>
    </form>
  );
}
