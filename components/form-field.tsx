// One form field: a label, the control, an optional hint and the field's error right under it
// (STYLE.md "UI": every form shows the field's error next to it). Tests find inputs by label.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

const controlClass =
  'block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-blue-600 focus:outline-2 focus:outline-blue-600/30 disabled:bg-slate-100 disabled:text-slate-600 aria-invalid:border-red-600';

interface ShellProps {
  name: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  className?: string;
  children: (a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

function FieldShell({ name, label, hint, error, className = '', children }: ShellProps) {
  const id = `field-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

type Common = { name: string; label: string; hint?: ReactNode; error?: string | undefined; className?: string };

export function TextField({ name, label, hint, error, className, ...input }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} className={className}>
      {(a11y) => <input name={name} {...a11y} {...input} className={controlClass} />}
    </FieldShell>
  );
}

export function TextareaField({ name, label, hint, error, className, ...input }: Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name'>) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} className={className}>
      {(a11y) => <textarea name={name} rows={3} {...a11y} {...input} className={`${controlClass} font-mono`} />}
    </FieldShell>
  );
}

export interface Choice {
  value: string;
  label: string;
}

export function SelectField({ name, label, hint, error, className, choices, ...select }: Common & { choices: Choice[] } & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'>) {
  return (
    <FieldShell name={name} label={label} hint={hint} error={error} className={className}>
      {(a11y) => (
        <select name={name} {...a11y} {...select} className={controlClass}>
          {choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

export function CheckboxField({ name, label, hint, error, className = '', ...input }: Common & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'type'>) {
  const id = `field-${name}`;
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <div className="flex items-center gap-2">
        <input
          id={id}
          type="checkbox"
          name={name}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
          {...input}
          className="size-4 rounded border-slate-300 accent-blue-700"
        />
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          {label}
        </label>
      </div>
      {hint && !error ? (
        <p id={`${id}-hint`} className="pl-6 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="pl-6 text-xs font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Errors the server names no field of this form for (or no field at all). */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}
    </p>
  );
}

/** A titled group of fields laid out in two columns on wide screens. */
export function FieldGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h3 className="mb-3 text-xs font-semibold tracking-wide text-slate-500 uppercase">{title}</h3>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">{children}</div>
    </div>
  );
}
