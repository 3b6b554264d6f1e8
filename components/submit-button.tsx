'use client';
// A form's submit button, enabled only once the page is interactive (see use-hydrated.ts).
import type { ReactNode } from 'react';
import { Button } from './button.tsx';
import { useHydrated } from './use-hydrated.ts';

export function SubmitButton({ pending, pendingLabel, children, className, disabled = false }: { pending: boolean; pendingLabel: string; children: ReactNode; className?: string; disabled?: boolean }) {
  const interactive = useHydrated();
  return (
    <Button type="submit" disabled={!interactive || pending || disabled} className={className}>
      {pending ? pendingLabel : children}
    </Button>
  );
}
