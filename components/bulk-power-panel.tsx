'use client';
// Bulk power on the hosts list: the list's bulk bar queues a power action on a selection
// (components/host-bulk-bar.tsx); this panel follows the recent actions host by host (queued →
// sent → booting → up, or failed with the BMC's error), with a cancel. Folded to one line unless
// an action is live. A viewer sees the progress, no controls. Polls the API while an action is live.
import { useCallback, useEffect, useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Badge, type BadgeTone } from './badge.tsx';
import { Button } from './button.tsx';
import { useHydrated } from './use-hydrated.ts';

interface BulkHost { hostId: string; hostname: string; state: string; sentAt: string | null; finishedAt: string | null; done: string | null; error: string | null }
interface BulkAction {
  id: string;
  action: string;
  state: string;
  boots: boolean;
  maxConcurrentBoots: number;
  hostTimeoutSeconds: number;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  reason: string | null;
  counts: Record<string, number>;
  hosts: BulkHost[];
}

const hostTones: Record<string, BadgeTone> = { queued: 'neutral', sent: 'blue', booting: 'blue', up: 'green', done: 'green', failed: 'red', cancelled: 'grey' };
const hostWords: Record<string, string> = { queued: 'queued', sent: 'sending', booting: 'booting', up: 'up', done: 'done', failed: 'failed', cancelled: 'not sent' };
const actionTones: Record<string, BadgeTone> = { running: 'blue', cancelled: 'grey', completed: 'green' };
const progressColours: Array<[string, string]> = [['up', 'bg-green-600'], ['done', 'bg-green-600'], ['failed', 'bg-red-600'], ['booting', 'bg-blue-500'], ['sent', 'bg-blue-300'], ['cancelled', 'bg-gray-300']];

/** Sent on window when a bulk power action was queued elsewhere on the page. */
export const bulkPowerQueuedEvent = 'fleetboot:bulk-power-queued';

export function BulkPowerPanel({ canEdit }: { canEdit: boolean }) {
  const hydrated = useHydrated();
  const [items, setItems] = useState<BulkAction[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const r = await apiRequest<{ items: BulkAction[] }>('GET', '/api/v1/power/actions?limit=5');
    if (r.ok) setItems(r.data.items);
    return r.ok && r.data.items.some((a) => !a.finishedAt);
  }, []);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let gone = false;
    const next = async () => {
      const live = await load();
      if (!gone) timer = setTimeout(() => void next(), live ? 1500 : 10_000);
    };
    timer = setTimeout(() => void next(), 0);
    // The bulk bar just queued one: show it now, not at the next slow poll.
    const queued = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void next(), 0);
    };
    window.addEventListener(bulkPowerQueuedEvent, queued);
    return () => {
      gone = true;
      if (timer) clearTimeout(timer);
      window.removeEventListener(bulkPowerQueuedEvent, queued);
    };
  }, [load]);

  async function cancel(id: string) {
    setBusy(true);
    setError(null);
    const r = await apiRequest('POST', `/api/v1/power/actions/${id}/cancel`);
    setBusy(false);
    if (!r.ok) setError(r.error);
    await load();
  }

  const disabled = !hydrated || busy;
  if (!items?.length) return null;
  const live = items.filter((a) => !a.finishedAt).length;
  return (
    <details className="mb-4 rounded-lg border border-slate-200 bg-white text-sm shadow-xs" open={live > 0} data-testid="bulk-power">
      <summary className="cursor-pointer px-4 py-2 font-medium text-slate-800">
        Bulk power <span className="font-normal text-slate-600">· {live} running · {items.length - live} finished (last {items.length})</span>
      </summary>
      <div className="flex flex-col gap-2 border-t border-slate-200 p-3">
        {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
        <ol className="flex flex-col gap-2" aria-label="Bulk power actions">
          {items.map((a) => (
            <BulkActionRow key={a.id} a={a} canCancel={canEdit && a.state === 'running'} onCancel={() => void cancel(a.id)} disabled={disabled} />
          ))}
        </ol>
      </div>
    </details>
  );
}

function BulkActionRow({ a, canCancel, onCancel, disabled }: { a: BulkAction; canCancel: boolean; onCancel: () => void; disabled: boolean }) {
  const total = a.hosts.length;
  const finished = (a.counts.up ?? 0) + (a.counts.done ?? 0) + (a.counts.failed ?? 0);
  return (
    <li className="rounded border border-slate-200 p-3 text-sm" data-testid="bulk-power-action">
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="bulk-power-state"><Badge tone={actionTones[a.state] ?? 'neutral'}>{a.state}</Badge></span>
        <strong>{a.action}</strong>
        <span className="text-slate-700">
          {total} host{total === 1 ? '' : 's'} · {finished} finished{a.boots ? ` · at most ${a.maxConcurrentBoots} booting at once` : ''}
        </span>
        <span className="text-xs text-slate-500">by {a.createdBy}, {new Date(a.createdAt).toLocaleString()}</span>
        {a.state === 'cancelled' && !a.finishedAt ? <span className="text-xs text-slate-600">cancelled; still watching the hosts already sent</span> : null}
        {canCancel ? <Button kind="danger" onClick={onCancel} disabled={disabled}>Cancel</Button> : null}
      </div>
      <div className="mt-2 flex h-2 overflow-hidden rounded bg-slate-100" role="img" aria-label={Object.entries(a.counts).filter(([, n]) => n).map(([s, n]) => `${n} ${hostWords[s] ?? s}`).join(', ')}>
        {progressColours.map(([state, colour]) => (a.counts[state] ? <span key={state} className={colour} style={{ width: `${(100 * a.counts[state]) / total}%` }} /> : null))}
      </div>
      <p className="mt-1 text-xs text-slate-600" data-testid="bulk-power-counts">
        {Object.entries(a.counts).filter(([, n]) => n).map(([s, n]) => `${n} ${hostWords[s] ?? s}`).join(' · ')}
      </p>
      <details className="mt-1" open={a.state === 'running' && total <= 20}>
        <summary className="cursor-pointer text-xs text-slate-600">Hosts</summary>
        <ul className="mt-1 flex flex-col gap-0.5">
          {a.hosts.map((h) => (
            <li key={h.hostId} className="flex flex-wrap items-center gap-2">
              <span className="min-w-32 font-mono text-xs">{h.hostname}</span>
              <Badge tone={hostTones[h.state] ?? 'neutral'}>{hostWords[h.state] ?? h.state}</Badge>
              {h.error ? <span className="text-xs text-red-700">{h.error}</span> : h.done ? <span className="text-xs text-slate-600">{h.done}</span> : null}
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}
