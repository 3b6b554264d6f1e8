'use client';
// Sign in with username and password; the server sets the session cookie.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Button } from './button.tsx';
import { FormError, TextField } from './form-field.tsx';

export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setPending(true);
        const result = await apiRequest('POST', '/api/v1/auth/login', { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') });
        if (result.ok) {
          router.replace(next);
          router.refresh();
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
      <Button type="submit" disabled={pending} className="mt-2 w-full py-2">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
