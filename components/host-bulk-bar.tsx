'use client';
// The hosts list's bulk actions: one line above the table (the selection's count, an action, its
// value, Apply). Apply first asks the API for a dry run, then a dialog states how many hosts the
// action touches (and which would refuse) before anything changes; the confirmed count travels
// with the action, so a selection that changed meanwhile is refused rather than acted on.
import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Button } from './button.tsx';
import { bulkPowerQueuedEvent } from './bulk-power-panel.tsx';
import type { Choice } from './form-field.tsx';
import { useHostSelection } from './host-selection.tsx';
import { useToast } from './toast.tsx';
import { useHydrated } from './use-hydrated.ts';

interface Props {
  roles: Choice[];
  networks: Choice[];
  images: Choice[];
}

interface DryRun {
  matched: number;
  changed: number;
  unchanged: number;
  problems?: Array<{ hostname: string; message: string }>;
}

type ActionKey = 'role' | 'network' | 'spare-on' | 'spare-off' | 'boot-on' | 'boot-off' | 'override' | 'power' | 'delete';

const actionLabels: Record<ActionKey, string> = {
  role: 'Set role',
  network: 'Set network',
  'spare-on': 'Mark as spare',
  'spare-off': 'Unmark spare',
  'boot-on': 'Network boot on',
  'boot-off': 'Network boot off',
  override: 'Boot once',
  power: 'Power',
  delete: 'Delete',
};

const overrides: Choice[] = [
  { value: 'rescue', label: 'rescue' },
  { value: 'memtest', label: 'memtest' },
  { value: 'localdisk', label: 'local disk' },
  { value: '', label: 'clear the override' },
];

const powerChoices: Choice[] = [
  { value: 'cycle', label: 'power cycle' },
  { value: 'pxe-boot', label: 'boot from the network' },
  { value: 'reset', label: 'reset' },
  { value: 'on', label: 'power on' },
  { value: 'off', label: 'power off' },
  { value: 'pxe', label: 'next boot from the network' },
];

const n = (v: number) => v.toLocaleString('en-US');
const hosts = (v: number) => `${n(v)} host${v === 1 ? '' : 's'}`;
const selectClass = 'rounded-md border border-slate-300 bg-white px-2 py-1 text-sm';

export function HostBulkBar({ roles, networks, images }: Props) {
  const s = useHostSelection();
  const hydrated = useHydrated();
  const router = useRouter();
  const toast = useToast();
  const dialog = useRef<HTMLDialogElement>(null);
  const [action, setAction] = useState<ActionKey>('role');
  const [value, setValue] = useState('');
  const [plan, setPlan] = useState<DryRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choices: Choice[] | null = action === 'role' ? [{ value: '', label: 'no role' }, ...roles]
    : action === 'network' ? [{ value: '', label: 'no network' }, ...networks]
      : action === 'override' ? [...overrides.slice(0, 3), ...images.map((i) => ({ value: `image:${i.value}`, label: `image ${i.label}` })), overrides[3]!]
        : action === 'power' ? powerChoices : null;
  const chosen = choices ? (choices.some((c) => c.value === value) ? value : choices[0]!.value) : '';
  const choiceLabel = choices?.find((c) => c.value === chosen)?.label ?? '';

  function body(dryRun: boolean, expectedCount?: number) {
    const selection = s.mode === 'filter' ? { filter: s.filter } : { hostIds: [...s.ids] };
    const base = { ...selection, dryRun, ...(expectedCount !== undefined ? { expectedCount } : {}) };
    const orNull = (v: string) => (v === '' ? null : v);
    switch (action) {
      case 'role': return { ...base, action: 'update', set: { roleId: orNull(chosen) } };
      case 'network': return { ...base, action: 'update', set: { networkId: orNull(chosen) } };
      case 'spare-on': return { ...base, action: 'update', set: { spare: true } };
      case 'spare-off': return { ...base, action: 'update', set: { spare: false } };
      case 'boot-on': return { ...base, action: 'update', set: { bootEnabled: true } };
      case 'boot-off': return { ...base, action: 'update', set: { bootEnabled: false } };
      case 'override': return { ...base, action: 'update', set: chosen.startsWith('image:') ? { bootOverride: 'image', imageOverrideId: chosen.slice(6) } : { bootOverride: orNull(chosen), ...(chosen === '' ? { imageOverrideId: null } : {}) } };
      case 'power': return { ...base, action: 'power', power: chosen };
      case 'delete': return { ...base, action: 'delete' };
    }
  }

  /** What the dialog asks, in words: the action, its value and the number of hosts. */
  function question(count: number): string {
    switch (action) {
      case 'role': return `Set the role of ${hosts(count)} to ${choiceLabel}?`;
      case 'network': return `Move ${hosts(count)} to ${choiceLabel}?`;
      case 'override': return `${chosen === '' ? 'Clear the one-shot boot of' : `Boot ${choiceLabel} once on`} ${hosts(count)}?`;
      case 'power': return `${choiceLabel[0]!.toUpperCase()}${choiceLabel.slice(1)}: ${hosts(count)}?`;
      case 'delete': return `Delete ${hosts(count)}? Their boot history goes with them.`;
      default: return `${actionLabels[action]}: ${hosts(count)}?`;
    }
  }

  async function review() {
    setBusy(true);
    setError(null);
    const r = await apiRequest<DryRun>('POST', '/api/v1/hosts/bulk', body(true));
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setPlan(r.data);
    dialog.current?.showModal();
  }

  async function apply() {
    if (!plan) return;
    setBusy(true);
    const r = await apiRequest<{ changed?: number; id?: string }>('POST', '/api/v1/hosts/bulk', body(false, plan.matched));
    setBusy(false);
    dialog.current?.close();
    if (!r.ok) return setError(r.error);
    toast(action === 'power' ? `Queued for ${hosts(plan.matched)}: follow it under Bulk power` : action === 'delete' ? `Deleted ${hosts(plan.matched)}` : `Changed ${hosts(r.data.changed ?? 0)}`);
    if (action === 'power') window.dispatchEvent(new Event(bulkPowerQueuedEvent));
    s.clear();
    setPlan(null);
    router.refresh();
  }

  const refusing = plan?.problems?.length ?? 0;
  const acting = plan ? (action === 'delete' || action === 'power' ? plan.matched : plan.changed) : 0;
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-slate-50 px-4 py-2 text-sm" data-testid="bulk-bar">
      <span className="min-w-24 font-medium text-slate-800" data-testid="selected-count">{n(s.count)} selected</span>
      <label className="sr-only" htmlFor="bulk-action">Bulk action</label>
      <select id="bulk-action" value={action} onChange={(e) => { setAction(e.target.value as ActionKey); setValue(''); }} className={selectClass}>
        {(Object.keys(actionLabels) as ActionKey[]).map((k) => <option key={k} value={k}>{actionLabels[k]}</option>)}
      </select>
      {choices ? (
        <>
          <label className="sr-only" htmlFor="bulk-value">{actionLabels[action]} to</label>
          <select id="bulk-value" value={chosen} onChange={(e) => setValue(e.target.value)} className={`${selectClass} max-w-56`}>
            {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </>
      ) : null}
      <Button kind={action === 'delete' ? 'danger' : 'primary'} disabled={!hydrated || busy || s.count === 0} title={s.count === 0 ? 'select hosts in the list first' : undefined} onClick={() => void review()}>
        Apply…
      </Button>
      {s.count > 0 ? <button type="button" className="px-1 text-slate-600 hover:text-slate-900" onClick={s.clear}>Clear selection</button> : null}
      {error ? <p role="alert" className="basis-full text-sm text-red-700">{error}</p> : null}
      <dialog ref={dialog} aria-labelledby="bulk-confirm-title" className="m-auto w-full max-w-lg rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40" onClose={() => setPlan(null)}>
        {plan ? (
          <div className="flex flex-col gap-3 p-5">
            <h2 id="bulk-confirm-title" className="text-base font-semibold text-slate-900">{question(plan.matched)}</h2>
            <p className="text-sm text-slate-700" data-testid="bulk-confirm-counts">
              {action === 'delete' || action === 'power'
                ? `${hosts(plan.matched)} selected.`
                : `${hosts(plan.changed)} change; ${hosts(plan.unchanged)} already ${plan.unchanged === 1 ? 'is' : 'are'} as asked.`}
            </p>
            {refusing ? (
              <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-800">
                {hosts(refusing)} can&apos;t take this, so nothing would change:
                <ul className="mt-1 list-disc pl-5">
                  {plan.problems!.slice(0, 5).map((p) => <li key={p.hostname}>{p.hostname}: {p.message}</li>)}
                </ul>
                {refusing > 5 ? <p>… and {n(refusing - 5)} more.</p> : null}
              </div>
            ) : null}
            <div className="flex justify-end gap-2">
              <Button kind="secondary" onClick={() => dialog.current?.close()}>Cancel</Button>
              <Button kind={action === 'delete' ? 'danger' : 'primary'} disabled={busy || refusing > 0 || acting === 0} title={refusing ? 'some hosts would refuse: change the selection' : acting === 0 ? 'nothing would change' : undefined} onClick={() => void apply()}>
                {actionLabels[action]}: {hosts(acting)}
              </Button>
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}
