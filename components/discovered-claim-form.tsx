'use client';
// Claim one discovered machine: into a host waiting for hardware (the ones whose serial or
// asset tag the machine reports come first, marked) or into a new host named here. The claim
// gives the host the machine's MAC (POST /api/v1/discovered/{mac}/claim); the machine's agent,
// polling its identity, then boots the host's role.
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiRequest } from './api-request.ts';
import { Button } from './button.tsx';
import type { Choice } from './form-field.tsx';
import { useHydrated } from './use-hydrated.ts';

export interface WaitingHostChoice {
  id: string;
  hostname: string;
  /** The machine reports this host's serial or asset tag. */
  match: 'serial' | 'assetTag' | null;
}

const matchWords = { serial: 'serial matches', assetTag: 'asset tag matches' } as const;

export function DiscoveredClaimForm({ mac, waiting, roles, networkId }: { mac: string; waiting: WaitingHostChoice[]; roles: Choice[]; networkId: string | null }) {
  const hydrated = useHydrated();
  const router = useRouter();
  const suggested = waiting.find((w) => w.match);
  const [target, setTarget] = useState<string>(suggested?.id ?? (waiting[0]?.id ?? 'new'));
  const [hostname, setHostname] = useState('');
  const [roleId, setRoleId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = mac.replaceAll(':', '-');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = target === 'new' ? { newHost: { hostname, roleId: roleId || null, networkId } } : { hostId: target };
    const r = await apiRequest<{ id: string; hostname: string }>('POST', `/api/v1/discovered/${encodeURIComponent(mac)}/claim`, body);
    setBusy(false);
    if (!r.ok) {
      setError(Object.values(r.fieldErrors)[0] ?? r.error);
      return;
    }
    router.push(`/hosts/${r.data.id}`);
  };

  const sorted = [...waiting].sort((a, b) => Number(b.match !== null) - Number(a.match !== null));
  return (
    <form onSubmit={(e) => void submit(e)} className="flex flex-wrap items-end gap-2" data-testid={`claim-${label}`}>
      <label className="text-xs text-slate-600">
        Claim into
        <select aria-label={`Claim ${mac} into`} value={target} onChange={(e) => setTarget(e.target.value)} className="mt-0.5 block max-w-60 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
          {sorted.map((w) => (
            <option key={w.id} value={w.id}>
              {w.hostname}{w.match ? ` (${matchWords[w.match]})` : ' (waiting for hardware)'}
            </option>
          ))}
          <option value="new">a new host…</option>
        </select>
      </label>
      {target === 'new' ? (
        <>
          <label className="text-xs text-slate-600">
            Hostname
            <input aria-label={`Hostname for ${mac}`} value={hostname} onChange={(e) => setHostname(e.target.value)} required className="mt-0.5 block w-40 rounded-md border border-slate-300 px-2 py-1 text-sm" />
          </label>
          <label className="text-xs text-slate-600">
            Role
            <select aria-label={`Role for ${mac}`} value={roleId} onChange={(e) => setRoleId(e.target.value)} className="mt-0.5 block rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
              <option value="">none yet</option>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>{r.label}</option>
              ))}
            </select>
          </label>
        </>
      ) : null}
      <Button type="submit" kind="secondary" disabled={!hydrated || busy}>{busy ? 'Claiming…' : 'Claim'}</Button>
      {error ? <p role="alert" className="basis-full text-xs text-red-700">{error}</p> : null}
    </form>
  );
}
