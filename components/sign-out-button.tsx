'use client';
// Ends the session (POST /api/v1/auth/logout), then loads the login page afresh: nothing of
// the signed-in console stays in the browser's router cache.
import { useState } from 'react';
import { useHydrated } from './use-hydrated.ts';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  const interactive = useHydrated();
  return (
    <button
      type="button"
      disabled={!interactive || pending}
      onClick={async () => {
        setPending(true);
        await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' });
        // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full load on purpose (see above)
        window.location.assign('/login');
      }}
      className="rounded-md px-2 py-1 text-sm text-slate-300 ring-1 ring-slate-600 ring-inset hover:bg-slate-800 hover:text-white"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
