'use client';
// A form's submit button, enabled only once the page is interactive: a click before hydration
// would make the browser submit the form natively (a GET with the fields in the URL).
import { useSyncExternalStore, type ReactNode } from 'react';
import { Button } from './button.tsx';

const subscribeToNothing = () => () => undefined;

export function SubmitButton({ pending, pendingLabel, children, className, disabled = false }: { pending: boolean; pendingLabel: string; children: ReactNode; className?: string; disabled?: boolean }) {
  // false in the server's HTML, true once React runs in the browser.
  const interactive = useSyncExternalStore(subscribeToNothing, () => true, () => false);
  return (
    <Button type="submit" disabled={!interactive || pending || disabled} className={className}>
      {pending ? pendingLabel : children}
    </Button>
  );
}
