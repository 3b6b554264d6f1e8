// What the host page says first: how the last boot ended, where, the reason in full (never cut
// off), the host's last log lines and what to try. The story comes from components/timeline/
// last-boot.ts; the log lines are passed in (streamed by the page when bootd answers).
import type { ReactNode } from 'react';
import { formatUtc } from './time-text.tsx';
import type { LastBootOutcome, LastBootStory } from './timeline/last-boot.ts';

const outcomeClass: Record<LastBootOutcome, string> = {
  none: 'border-slate-300 bg-white text-slate-800',
  booting: 'border-blue-300 bg-blue-50 text-blue-950',
  up: 'border-green-300 bg-green-50 text-green-950',
  failed: 'border-red-300 bg-red-50 text-red-950',
  stalled: 'border-amber-400 bg-amber-50 text-amber-950',
  interrupted: 'border-slate-300 bg-slate-50 text-slate-900',
};

export function LastBootPanel({ story, logLines }: { story: LastBootStory; logLines: ReactNode }) {
  const bad = story.outcome === 'failed' || story.outcome === 'stalled' || story.outcome === 'interrupted';
  return (
    <section data-testid="last-boot" data-outcome={story.outcome} aria-label="Last boot" className={`mb-6 rounded-lg border px-4 py-3 text-sm shadow-xs ${outcomeClass[story.outcome]}`}>
      <p className="text-base font-semibold" role={bad ? 'alert' : undefined} data-testid="last-boot-headline">
        {story.headline}
        {story.startedAt ? <span className="ml-2 text-xs font-normal opacity-75">started {formatUtc(story.startedAt)}</span> : null}
      </p>
      {story.reason ? (
        <p className="mt-1 whitespace-pre-wrap break-words" data-testid="last-boot-reason">
          <span className="font-medium">Reason:</span> {story.reason}
        </p>
      ) : null}
      {story.tries.length ? (
        <div className="mt-2" data-testid="last-boot-tries">
          <p className="font-medium">What to try</p>
          <ul className="ml-5 list-disc">
            {story.tries.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {bad || story.outcome === 'booting' ? <div className="mt-2">{logLines}</div> : null}
    </section>
  );
}

/** The host's last few syslog lines under the verdict; null lines: bootd could not be asked. */
export function LastLogLines({ lines }: { lines: string[] | null }) {
  if (lines === null) return <p className="text-xs opacity-75" data-testid="last-boot-logs">Its log lines are unavailable: no boot server answered (is syslog enabled on bootd?).</p>;
  if (lines.length === 0) return <p className="text-xs opacity-75" data-testid="last-boot-logs">It has sent no log lines to its boot server.</p>;
  return (
    <div data-testid="last-boot-logs">
      <p className="font-medium">Its last log lines</p>
      <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-words rounded bg-white/70 p-2 font-mono text-xs text-slate-800">{lines.join('\n')}</pre>
    </div>
  );
}
