'use client';
// Sign in with username and password; the server sets the session cookie.
import { useState } from 'react';
import { consolePathOr } from '@/lib/console-path.ts';
import { apiRequest } from './api-request.ts';
import { SubmitButton } from './submit-button.tsx';
import { FormError, TextField } from './form-field.tsx';

export function LoginForm({ next }: { next: string }) {
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  return (
    <form
      method="post"
      className="flex flex-col gap-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setPending(true);
        const result = await apiRequest<{ next: string }>('POST', '/api/v1/auth/login', { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? ''), next });
        if (result.ok) {
          // A full load: the whole console renders afresh for the new session. The server names
          // where to go; checked here again so no answer can send the browser off-site.
          window.location.assign(consolePathOr(result.data.next));
          return;
        }
        setPending(false);
        setFieldErrors(result.fieldErrors);
        setFormError(Object.keys(result.fieldErrors).length ? null : result.error);
      }}
    >
      <FormError message={formError} />
      <TextField name="username" label="Username" autoComplete="username" required autoFocus error={fieldErrors.username} />
      <TextField name="password" label="Password" type="password" autoComplete="current-password" required error={fieldErrors.password} />
      <SubmitButton pending={pending} pendingLabel="Signing in…" className="mt-2 w-full py-2">
        Sign in
      </SubmitButton>
    </form>
  );
}
