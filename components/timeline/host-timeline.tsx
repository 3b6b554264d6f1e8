'use client';
// A host's boot, live: each phase of the current boot with its start, duration and transfer
// progress, the raw events under it, and the previous boots for comparison. Server-rendered from
// getHostTimeline(), then fed by the event stream (/api/v1/events/stream?hostId=…&after=seq).
import { useEffect, useMemo, useState } from 'react';
import { Badge, hostStateTone } from '@/components/badge.tsx';
import { formatUtc } from '@/components/time-text.tsx';
import type { HostTimeline as HostTimelineData, TimelineEvent, TimelineSession } from '@/lib/boot-event.ts';
import { formatBytes, formatDuration, summarizeBoot, transferOutcomeText, type PhaseSummary } from './boot-summary.ts';

const rawEventsShown = 200;

const statusText: Record<PhaseSummary['status'], string> = { done: 'done', current: 'in progress', pending: 'not yet', stalled: 'stalled here', failed: 'failed here' };
const statusClass: Record<PhaseSummary['status'], string> = {
  done: 'border-green-600 bg-green-50',
  current: 'border-blue-500 bg-blue-50',
  pending: 'border-slate-200 bg-white text-slate-400',
  stalled: 'border-amber-500 bg-amber-50',
  failed: 'border-red-600 bg-red-50',
};

function outcomeWord(s: TimelineSession): string {
  return s.outcome ?? 'booting';
}

function applyEvent(sessions: TimelineSession[], e: TimelineEvent & { type: string }): TimelineSession[] {
  if (!e.sessionId) return sessions;
  const i = sessions.findIndex((s) => s.id === e.sessionId);
  if (i < 0) {
    // A new boot began: it becomes the current one.
    const fresh: TimelineSession = { id: e.sessionId, startedAt: e.at, endedAt: null, phase: 'dhcp', outcome: null, events: [e], omitted: 0 };
    return [fresh, ...sessions.map((s) => (s.outcome === null ? { ...s, outcome: 'interrupted' } : s))].slice(0, 8);
  }
  const s = sessions[i]!;
  if (s.events.some((x) => x.seq === e.seq)) return sessions;
  const next: TimelineSession = { ...s, events: [...s.events, e] };
  if (e.type === 'host-state') {
    const state = String(e.detail.state ?? '');
    if (state === 'up' || state === 'failed' || state === 'stalled') next.outcome = state;
    else if (state === 'booting') next.outcome = null;
    if (typeof e.detail.phase === 'string') next.phase = e.detail.phase;
  }
  const copy = sessions.slice();
  copy[i] = next;
  return copy;
}

export function HostTimeline({ initial }: { initial: HostTimelineData }) {
  const [sessions, setSessions] = useState(initial.sessions);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');

  // The stream resumes from the first render's seq only: a later server refresh of the page must
  // not move it past events this component hasn't received yet.
  const [afterSeq] = useState(initial.afterSeq);
  useEffect(() => {
    const source = new EventSource(`/api/v1/events/stream?hostId=${encodeURIComponent(initial.hostId)}&after=${afterSeq}`);
    const onEvent = (msg: MessageEvent<string>) => {
      const e = JSON.parse(msg.data) as TimelineEvent;
      setSessions((current) => applyEvent(current, e));
    };
    source.addEventListener('boot-event', onEvent);
    source.addEventListener('host-state', onEvent);
    source.onopen = () => setLive('live');
    source.onerror = () => setLive('reconnecting');
    return () => source.close();
  }, [initial.hostId, afterSeq]);

  const current = sessions[0];
  const summary = useMemo(() => (current ? summarizeBoot(current.events, current.outcome) : null), [current]);
  const previous = useMemo(() => sessions.slice(1).map((s) => ({ session: s, summary: summarizeBoot(s.events, s.outcome) })), [sessions]);

  return (
    <section data-testid="host-timeline" aria-label="Boot timeline" className="mb-6 rounded-lg border border-slate-200 bg-white shadow-xs">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <h2 className="text-sm font-semibold text-slate-900">Boot timeline</h2>
        <span className="text-xs text-slate-500" data-testid="timeline-live">
          {live === 'live' ? '● live' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
      </div>
      {!current || !summary ? (
        <p className="px-4 py-6 text-sm text-slate-600" data-testid="timeline-empty">
          No boot yet. The phases appear here as the host boots: DHCP, bootloader, kernel, initrd, root file system, up.
        </p>
      ) : (
        <div className="space-y-4 p-4">
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700" data-testid="timeline-current">
            <span className="font-medium">Current boot</span>
            <Badge tone={hostStateTone(current.outcome === null ? 'booting' : current.outcome === 'interrupted' ? 'offline' : current.outcome)}>
              <span data-testid="timeline-outcome">{outcomeWord(current)}</span>
            </Badge>
            <span>started {formatUtc(current.startedAt)}</span>
            {summary.startedAtMs !== null && summary.lastEventAtMs !== null ? <span>· {formatDuration(summary.lastEventAtMs - summary.startedAtMs)} so far</span> : null}
          </p>
          <ol className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-3">
            {summary.phases.map((p) => (
              <li key={p.phase} data-testid={`phase-${p.phase}`} data-status={p.status} className={`rounded-md border-l-4 px-3 py-2 text-sm ${statusClass[p.status]}`}>
                <div className="flex items-baseline justify-between gap-2">
                  <span className="font-medium capitalize">{p.phase === 'rootfs' ? 'root fs' : p.phase}</span>
                  <span className="text-xs">{statusText[p.status]}</span>
                </div>
                <div className="text-xs text-slate-600 tabular-nums">
                  {p.startedAtMs !== null ? `${formatUtc(new Date(p.startedAtMs)).slice(11)} · ${formatDuration(p.durationMs)}` : '—'}
                </div>
                {p.transfers.map((t) => {
                  const pct = t.bytesTotal ? Math.min(100, Math.round((t.bytesDone / t.bytesTotal) * 100)) : null;
                  return (
                    <div key={t.file} className="mt-1.5" data-testid="transfer" data-state={t.state} data-duration-ms={t.durationMs ?? undefined}>
                      <div className="flex justify-between gap-2 text-xs text-slate-700">
                        <span className="truncate" title={t.file}>{t.source} {t.file}</span>
                        <span className="tabular-nums whitespace-nowrap">
                          {formatBytes(t.bytesDone)}{t.bytesTotal ? ` / ${formatBytes(t.bytesTotal)}` : ''}
                        </span>
                      </div>
                      <div className="text-xs text-slate-500 tabular-nums" data-testid="transfer-outcome">{transferOutcomeText(t)}</div>
                      <div
                        role="progressbar"
                        aria-label={`${t.file} transfer`}
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={pct ?? undefined}
                        className="mt-0.5 h-1.5 overflow-hidden rounded bg-slate-200"
                      >
                        <div className={`h-full ${t.state === 'error' || t.state === 'aborted' ? 'bg-red-600' : t.state === 'done' ? 'bg-green-600' : 'bg-blue-500'}`} style={{ width: `${pct ?? 0}%` }} />
                      </div>
                    </div>
                  );
                })}
              </li>
            ))}
          </ol>
          <details className="text-sm" data-testid="timeline-raw">
            <summary className="cursor-pointer text-slate-700">
              Raw events of this boot ({current.events.length + current.omitted})
            </summary>
            <ol className="mt-2 max-h-80 overflow-auto font-mono text-xs">
              {current.events.slice(-rawEventsShown).map((e) => (
                <li key={e.seq} className="border-b border-slate-100 py-0.5">
                  <span className="text-slate-500">{formatUtc(e.at).slice(11, 19)}</span> {e.source} <strong>{e.type}</strong>
                  {e.bytesTotal ? ` ${formatBytes(e.bytesDone ?? 0)}/${formatBytes(e.bytesTotal)}` : ''}{' '}
                  <span className="text-slate-500">{Object.entries(e.detail).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}</span>
                </li>
              ))}
            </ol>
          </details>
          {previous.length > 0 ? (
            <div>
              <h3 className="mb-1 text-sm font-medium text-slate-800">Previous boots</h3>
              <div className="overflow-x-auto">
                <table className="w-full text-left text-xs tabular-nums" data-testid="previous-boots">
                  <thead className="text-slate-500">
                    <tr>
                      <th className="py-1 pr-3 font-medium">Started</th>
                      <th className="py-1 pr-3 font-medium">Outcome</th>
                      <th className="py-1 pr-3 font-medium">Total</th>
                      {summary.phases.filter((p) => p.phase !== 'up').map((p) => (
                        <th key={p.phase} className="py-1 pr-3 font-medium">{p.phase === 'rootfs' ? 'root fs' : p.phase}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {[{ session: current, summary }, ...previous].map(({ session, summary: s }, i) => (
                      <tr key={session.id} className={`border-t border-slate-100 ${i === 0 ? 'font-medium' : ''}`}>
                        <td className="py-1 pr-3">{formatUtc(session.startedAt)}{i === 0 ? ' (current)' : ''}</td>
                        <td className="py-1 pr-3">{outcomeWord(session)}</td>
                        <td className="py-1 pr-3">{s.startedAtMs !== null && s.lastEventAtMs !== null ? formatDuration(s.lastEventAtMs - s.startedAtMs) : '—'}</td>
                        {s.phases.filter((p) => p.phase !== 'up').map((p) => (
                          <td key={p.phase} className="py-1 pr-3">{formatDuration(p.durationMs)}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ) : null}
        </div>
      )}
    </section>
  );
}
