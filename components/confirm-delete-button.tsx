'use client';
// Delete with a confirm step in place: the first click asks, the second deletes.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Button } from './button.tsx';
import { useToast } from './toast.tsx';
import { useHydrated } from './use-hydrated.ts';

interface Props {
  path: string;
  /** What is deleted, in the operator's words: "host web-01". */
  what: string;
  /** Where to go afterwards; without it the page refreshes. */
  redirectTo?: string;
  label?: string;
  consequence?: string;
}

export function ConfirmDeleteButton({ path, what, redirectTo, label = 'Delete', consequence }: Props) {
  const router = useRouter();
  const toast = useToast();
  const interactive = useHydrated();
  const [asking, setAsking] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!asking) {
    return (
      <Button kind="danger" disabled={!interactive} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <div role="group" aria-label={`Confirm: ${label.toLowerCase()} ${what}`} className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
      <span>
        {label} {what}?{consequence ? ` ${consequence}` : ''}
      </span>
      <Button
        kind="danger"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          const result = await apiRequest('DELETE', path);
          setPending(false);
          if (!result.ok) {
            setError(result.error);
            return;
          }
          toast(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)}: ${label.toLowerCase()}d`);
          if (redirectTo) router.push(redirectTo);
          else router.refresh();
          setAsking(false);
        }}
      >
        {pending ? 'Working…' : `Yes, ${label.toLowerCase()}`}
      </Button>
      <Button kind="secondary" onClick={() => setAsking(false)}>
        Cancel
      </Button>
      {error ? <p role="alert" className="w-full text-xs font-medium text-red-700">{error}</p> : null}
    </div>
  );
}
