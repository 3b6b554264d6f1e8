// A host's boots whose serial console was recorded: when each started, how it ended, how much
// was kept, and links to read or download its console as text. Search is the API's
// (GET /api/v1/hosts/{id}/consoles?q=).
import type { RecordedBoot } from '@/lib/recorded-boot.ts';
import { Panel } from '../page-header.tsx';
import { TimeText } from '../time-text.tsx';

export function RecordedConsoles({ boots }: { boots: RecordedBoot[] }) {
  if (boots.length === 0) return null;
  return (
    <Panel title="Recorded consoles">
      <ul className="divide-y divide-slate-100 text-sm" data-testid="recorded-consoles">
        {boots.map((b) => (
          <li key={b.sessionId} className="flex flex-wrap items-center gap-3 px-4 py-2">
            <span>
              boot of <TimeText date={b.startedAt} />
            </span>
            <span className="text-slate-600">{b.endedAt ? (b.outcome ?? 'ended') : `open (${b.phase})`}</span>
            <span className="text-slate-500">{b.chars.toLocaleString('en')} characters</span>
            <a className="text-blue-700 hover:underline" href={`/api/v1/boots/${b.sessionId}/console`} target="_blank" rel="noreferrer">View</a>
            <a className="text-blue-700 hover:underline" href={`/api/v1/boots/${b.sessionId}/console?download=1`}>Download</a>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
