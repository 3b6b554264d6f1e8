'use client';
// Power on a host's page: status, on, off, cycle and "PXE once" through its BMC (POST
// /api/v1/hosts/{id}/power), each answer shown as the BMC gave it (power state, what was done,
// or its error). Operators only; a host without a BMC says what it is missing.
import { useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Button } from './button.tsx';
import { Panel } from './page-header.tsx';
import { useHydrated } from './use-hydrated.ts';

const actions = [
  { action: 'status', label: 'Status', confirm: null },
  { action: 'on', label: 'Power on', confirm: null },
  { action: 'off', label: 'Power off', confirm: 'Power off {host}? It stops at once, without a clean shutdown.' },
  { action: 'cycle', label: 'Power cycle', confirm: 'Power cycle {host}? It restarts at once.' },
  { action: 'pxe', label: 'PXE once', confirm: null },
  { action: 'pxe-boot', label: 'Boot from network now', confirm: 'Boot {host} from the network now? It is power cycled (or powered on) with PXE as its next boot device.' },
] as const;
type Action = (typeof actions)[number]['action'];

interface PowerAnswer { action: Action; ok: boolean; power?: string; done?: string; error?: string }

function answerText(a: PowerAnswer): string {
  if (!a.ok) return `${a.action}: ${a.error ?? 'failed'}`;
  if (a.power) return `power is ${a.power}`;
  if (a.action === 'pxe') return 'the BMC took it: the next boot is from the network (no reboot)';
  return `the BMC took it: ${a.done ?? a.action}`;
}

export function HostPowerPanel({ hostId, hostname, hasBmc, canEdit }: { hostId: string; hostname: string; hasBmc: boolean; canEdit: boolean }) {
  const hydrated = useHydrated();
  const [busy, setBusy] = useState<Action | null>(null);
  const [answer, setAnswer] = useState<PowerAnswer | null>(null);

  const run = async (action: Action, confirmText: string | null) => {
    if (confirmText && !window.confirm(confirmText.replace('{host}', hostname))) return;
    setBusy(action);
    const r = await apiRequest<{ power?: string; done?: string }>('POST', `/api/v1/hosts/${encodeURIComponent(hostId)}/power`, { action });
    setAnswer(r.ok ? { action, ok: true, ...r.data } : { action, ok: false, error: r.error });
    setBusy(null);
  };

  return (
    <Panel title="Power" className="mb-6">
      <div className="space-y-3 p-4 text-sm" data-testid="host-power">
        {!canEdit ? <p className="text-slate-600">Power actions need the operator role.</p> : null}
        {canEdit && !hasBmc ? <p className="text-slate-600">No BMC: enter its BMC address, user and password in Settings below to power it from here.</p> : null}
        {canEdit && hasBmc ? (
          <div className="flex flex-wrap gap-2">
            {actions.map((a) => (
              <Button key={a.action} kind={a.action === 'off' || a.action === 'cycle' || a.action === 'pxe-boot' ? 'danger' : 'secondary'} disabled={!hydrated || busy !== null} onClick={() => void run(a.action, a.confirm)}>
                {busy === a.action ? `${a.label}…` : a.label}
              </Button>
            ))}
          </div>
        ) : null}
        {answer ? (
          <p role="status" data-testid="host-power-answer" data-ok={answer.ok} className={answer.ok ? 'text-green-800' : 'text-red-700'}>
            <span className="font-medium">BMC:</span> {answerText(answer)}
          </p>
        ) : null}
      </div>
    </Panel>
  );
}
