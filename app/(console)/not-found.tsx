// A console URL that names nothing (a deleted host, a mistyped id).
import { ButtonLink } from '@/components/button.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { Panel } from '@/components/page-header.tsx';

export default function ConsoleNotFound() {
  return (
    <Panel>
      <EmptyState title="Nothing here" action={<ButtonLink href="/" kind="secondary">Back to the dashboard</ButtonLink>}>
        This page names something that doesn’t exist, or no longer does (it may have been deleted).
      </EmptyState>
    </Panel>
  );
}
