'use client';
// Per-user admin controls: change the role, disable or enable the account.
import { Button } from './button.tsx';
import type { Choice } from './form-field.tsx';
import { useApiForm } from './use-api-form.ts';

export function UserRowControls({ user, roles, isSelf }: { user: { id: string; username: string; role: string; disabled: boolean }; roles: Choice[]; isSelf: boolean }) {
  const form = useApiForm(['role', 'disabled']);
  const patch = (body: Record<string, unknown>, toast: string) => form.submit({ method: 'PATCH', path: `/api/v1/users/${user.id}`, body }, { toast });
  const error = form.fieldErrors.role ?? form.fieldErrors.disabled ?? form.formError;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`role-${user.id}`} className="sr-only">
          Role of {user.username}
        </label>
        <select
          id={`role-${user.id}`}
          defaultValue={user.role}
          disabled={form.pending}
          onChange={async (e) => {
            const select = e.currentTarget;
            const result = await patch({ role: select.value }, `${user.username} is now ${select.value}`);
            // Refused (e.g. the last admin): show the role the user still has.
            if (!result.ok) select.value = user.role;
          }}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          {roles.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <Button
          kind={user.disabled ? 'secondary' : 'danger'}
          disabled={form.pending || (isSelf && !user.disabled)}
          title={isSelf && !user.disabled ? 'You cannot disable yourself' : undefined}
          onClick={() => void patch({ disabled: !user.disabled }, `${user.username} ${user.disabled ? 'enabled' : 'disabled'}`)}
        >
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
