'use client';
// Bulk power on the hosts list: an operator picks hosts (the list's checkboxes, tied to this
// form by its id) and an action; the action is queued and this panel follows it host by host
// (queued → sent → booting → up, or failed with the BMC's error), with a cancel. A viewer sees
// the progress, no controls. Polls the API while an action is live.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiRequest } from './api-request.ts';
import { Badge, type BadgeTone } from './badge.tsx';
import { Button } from './button.tsx';
import { Panel } from './page-header.tsx';
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

const queuedActions = [
  { value: 'cycle', label: 'Power cycle' },
  { value: 'pxe-boot', label: 'Boot from the network (PXE once, then cycle or on)' },
  { value: 'reset', label: 'Reset' },
  { value: 'on', label: 'Power on' },
  { value: 'off', label: 'Power off' },
  { value: 'pxe', label: 'Next boot from the network (no reboot)' },
] as const;
const bootingActions = new Set(['cycle', 'pxe-boot', 'reset', 'on']);

const hostTones: Record<string, BadgeTone> = { queued: 'neutral', sent: 'blue', booting: 'blue', up: 'green', done: 'green', failed: 'red', cancelled: 'grey' };
const hostWords: Record<string, string> = { queued: 'queued', sent: 'sending', booting: 'booting', up: 'up', done: 'done', failed: 'failed', cancelled: 'not sent' };
const actionTones: Record<string, BadgeTone> = { running: 'blue', cancelled: 'grey', completed: 'green' };
const progressColours: Array<[string, string]> = [['up', 'bg-green-600'], ['done', 'bg-green-600'], ['failed', 'bg-red-600'], ['booting', 'bg-blue-500'], ['sent', 'bg-blue-300'], ['cancelled', 'bg-gray-300']];

interface Props {
  canEdit: boolean;
  /** the id of the form the list's host checkboxes belong to */
  formId: string;
}

export function BulkPowerPanel({ canEdit, formId }: Props) {
  const hydrated = useHydrated();
  const router = useRouter();
  const [items, setItems] = useState<BulkAction[] | null>(null);
  const [action, setAction] = useState<string>('cycle');
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
    return () => {
      gone = true;
      if (timer) clearTimeout(timer);
    };
  }, [load]);

  const checkboxes = () => Array.from(document.querySelectorAll<HTMLInputElement>(`input[type=checkbox][form="${formId}"][name=hostId]`));

  async function start(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const hostIds = new FormData(e.currentTarget).getAll('hostId').map(String);
    if (hostIds.length === 0) return setError('select hosts in the list first');
    const label = queuedActions.find((a) => a.value === action)?.label ?? action;
    if (!window.confirm(`${label}: ${hostIds.length} host${hostIds.length > 1 ? 's' : ''}?`)) return;
    setBusy(true);
    setError(null);
    const r = await apiRequest('POST', '/api/v1/power', { action, hostIds });
    setBusy(false);
    if (!r.ok) return setError(r.fieldErrors.hostIds ?? r.error);
    for (const box of checkboxes()) box.checked = false;
    await load();
    router.refresh();
  }

  async function cancel(id: string) {
    setBusy(true);
    setError(null);
    const r = await apiRequest('POST', `/api/v1/power/actions/${id}/cancel`);
    setBusy(false);
    if (!r.ok) setError(r.error);
    await load();
  }

  const disabled = !hydrated || busy;
  // A viewer sees the progress of bulk actions, and nothing at all when there are none.
  if (!canEdit && !items?.length) return null;

  return (
    <Panel title="Bulk power" className="mb-6">
      <div className="flex flex-col gap-3 p-4" data-testid="bulk-power">
        {canEdit ? (
          <form id={formId} onSubmit={start} className="flex flex-wrap items-end gap-2">
            <label className="flex flex-col text-xs text-slate-700">
              Power action on the selected hosts
              <select value={action} onChange={(e) => setAction(e.target.value)} className="rounded border border-slate-300 px-2 py-1 text-sm">
                {queuedActions.map((a) => (
                  <option key={a.value} value={a.value}>{a.label}</option>
                ))}
              </select>
            </label>
            <Button type="submit" disabled={disabled}>Queue</Button>
            <Button kind="secondary" disabled={disabled} onClick={() => { const boxes = checkboxes(); const all = boxes.every((b) => b.checked); for (const b of boxes) b.checked = !all; }}>
              Select all on this page
            </Button>
            <span className="text-xs text-slate-600">
              {bootingActions.has(action) ? 'Boots the hosts a few at a time: no more at once than the tightest max concurrent boots of their roles.' : 'Boots nothing: sent to the BMCs a few at a time.'}
            </span>
          </form>
        ) : null}
        {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
        {items?.length ? (
          <ol className="flex flex-col gap-2" aria-label="Bulk power actions">
            {items.map((a) => (
              <BulkActionRow key={a.id} a={a} canCancel={canEdit && a.state === 'running'} onCancel={() => void cancel(a.id)} disabled={disabled} />
            ))}
          </ol>
        ) : null}
      </div>
    </Panel>
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
