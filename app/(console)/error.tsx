'use client';
// A page of the console failed to render: say so in the console's frame and offer a retry.
import { Button } from '@/components/button.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { Panel } from '@/components/page-header.tsx';

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Panel>
      <EmptyState title="This page could not be shown" action={<Button kind="secondary" onClick={reset}>Try again</Button>}>
        The server could not answer (is the database reachable?).{error.digest ? ` Reference ${error.digest} in the web log.` : ''}
      </EmptyState>
    </Panel>
  );
}
