'use client';
// An admin sets another user's password (they forgot it, or it leaked): the user's sessions and
// API tokens end.
import { useState } from 'react';
import { Button } from './button.tsx';
import { useApiForm } from './use-api-form.ts';

export function PasswordResetForm({ user }: { user: { id: string; username: string } }) {
  const form = useApiForm(['password']);
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <Button kind="secondary" onClick={() => setOpen(true)}>
        Reset password
      </Button>
    );
  }
  const error = form.fieldErrors.password ?? form.formError;
  return (
    <form
      aria-label={`Reset the password of ${user.username}`}
      className="flex flex-wrap items-center gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        const password = String(new FormData(e.currentTarget).get('password') ?? '');
        const result = await form.submit({ method: 'PATCH', path: `/api/v1/users/${user.id}`, body: { password } }, { toast: `Password of ${user.username} reset: their sessions and tokens have ended` });
        if (result.ok) setOpen(false);
      }}
    >
      <label htmlFor={`password-${user.id}`} className="sr-only">
        New password for {user.username}
      </label>
      <input id={`password-${user.id}`} name="password" type="password" autoComplete="new-password" required minLength={10} placeholder="new password" className="rounded-md border border-slate-300 px-2 py-1 text-sm" />
      <Button type="submit" kind="primary" disabled={form.pending}>
        Set password
      </Button>
      <Button kind="secondary" onClick={() => setOpen(false)}>
        Cancel
      </Button>
      {error ? (
        <p role="alert" className="w-full text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </form>
  );
}
