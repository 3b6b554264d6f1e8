'use client';
// A secret the server keeps only as a hash (an API token, a boot server credential), shown
// once with a copy button; after Done, leaving or reloading, only its prefix is ever shown.
import { useState, type ReactNode } from 'react';
import { Button } from './button.tsx';

export function SecretShownOnce({ label, title, secret, testId, onDone, children }: { label: string; title: ReactNode; secret: string; testId: string; onDone: () => void; children?: ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="region" aria-label={label} className="rounded-md border border-green-300 bg-green-50 p-4">
      <p className="text-sm font-medium text-green-900">{title} Copy it now: it is shown only this once.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid={testId} className="min-w-0 flex-1 rounded border border-green-200 bg-white px-2 py-1.5 font-mono text-sm break-all text-slate-900">
          {secret}
        </code>
        <Button
          kind="secondary"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
        <Button kind="secondary" onClick={onDone}>
          Done
        </Button>
      </div>
      {children ? <div className="mt-2 text-xs text-green-900">{children}</div> : null}
    </div>
  );
}
