'use client';
// The image's lifecycle, live: stage it on a spare and watch the health gate (the spare's boot
// events as they come), promote it, follow the rollout host by host (pause, resume, abort),
// roll the role back. Polls the API every 1.5 s while the page is open.
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { apiRequest } from './api-request.ts';
import { Badge, HostStateBadge, ImageStatusBadge, type BadgeTone } from './badge.tsx';
import { Button } from './button.tsx';
import { useHydrated } from './use-hydrated.ts';

interface HostRef { hostname: string; ip: string | null; state: string; statePhase: string | null }
interface Stage { id: string; state: string; reason: string | null; powerMethod: string; hostId: string; deadlineAt: string; createdAt: string; finishedAt: string | null; host: HostRef }
interface BootEventView { at: string; source: string; type: string; detail: Record<string, unknown> }
interface RolloutHostView { hostId: string; batch: number; state: string; reason: string | null; powerMethod: string | null; host: HostRef }
interface Rollout { id: string; kind: string; state: string; imageId: string; batchSize: number; batchCount: number; currentBatch: number; maxConcurrentBoots: number; failures: number; maxFailures: number; reason: string | null; image: { version: string }; hosts: RolloutHostView[] }
interface RoleView { id: string; name: string; activeImageId: string | null; previousImageId: string | null }

interface Props {
  imageId: string;
  roleId: string;
  canEdit: boolean;
  spares: Array<{ id: string; hostname: string; roleName: string | null }>;
}

const stageTones: Record<string, BadgeTone> = { powering: 'blue', waiting_manual: 'amber', booting: 'blue', checking: 'blue', verified: 'teal', failed: 'red', cancelled: 'grey' };
const stageWords: Record<string, string> = { powering: 'rebooting through the BMC', waiting_manual: 'waiting for a reboot by hand', booting: 'booting the candidate', checking: 'running the health check', verified: 'passed the gate', failed: 'failed the gate', cancelled: 'cancelled' };
const rolloutTones: Record<string, BadgeTone> = { running: 'blue', paused: 'amber', completed: 'green', aborted: 'grey', failed: 'red', pending: 'neutral', rebooting: 'blue', waiting_manual: 'amber', up: 'green' };

export function ImageLifecyclePanel({ imageId, roleId, canEdit, spares }: Props) {
  const hydrated = useHydrated();
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const [stages, setStages] = useState<Stage[]>([]);
  const [events, setEvents] = useState<BootEventView[]>([]);
  /** The spare's last syslog lines (null: bootd's syslog service can't be asked). */
  const [logLines, setLogLines] = useState<string[] | null>(null);
  const [rollouts, setRollouts] = useState<Rollout[]>([]);
  const [role, setRole] = useState<RoleView | null>(null);
  const [spareId, setSpareId] = useState('');
  const [timeoutSeconds, setTimeoutSeconds] = useState(900);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [img, st, ro, rl] = await Promise.all([
      apiRequest<{ status: string }>('GET', `/api/v1/images/${imageId}`),
      apiRequest<{ items: Stage[]; latestEvents: BootEventView[] }>('GET', `/api/v1/images/${imageId}/stages`),
      apiRequest<{ items: Rollout[] }>('GET', `/api/v1/rollouts?roleId=${roleId}`),
      apiRequest<RoleView>('GET', `/api/v1/roles/${roleId}`),
    ]);
    if (img.ok) setStatus(img.data.status);
    if (st.ok) {
      setStages(st.data.items);
      setEvents(st.data.latestEvents);
      const spare = st.data.items[0]?.hostId;
      const logs = spare ? await apiRequest<{ lines: string[] | null }>('GET', `/api/v1/hosts/${spare}/logs?lines=40`) : null;
      setLogLines(logs?.ok ? logs.data.lines : null);
    }
    if (ro.ok) setRollouts(ro.data.items);
    if (rl.ok) setRole(rl.data);
  }, [imageId, roleId]);

  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const timer = setInterval(() => void load(), 1500);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [load]);

  async function act(method: 'POST', path: string, body?: unknown) {
    setBusy(true);
    setError(null);
    const r = await apiRequest(method, path, body);
    setBusy(false);
    if (!r.ok) setError(r.error);
    await load();
    router.refresh();
  }

  const stage = stages[0];
  const live = stage && ['powering', 'waiting_manual', 'booting', 'checking'].includes(stage.state);
  const rollout = rollouts[0];
  const rolloutLive = rollout && ['running', 'paused'].includes(rollout.state);
  const disabled = !hydrated || busy;

  return (
    <div className="flex flex-col gap-5 p-4" data-testid="image-lifecycle">
      <div className="flex items-center gap-2 text-sm">
        <span className="text-slate-600">Status</span> {status ? <span data-testid="image-status"><ImageStatusBadge status={status} /></span> : null}
        {role ? <span className="text-xs text-slate-600">· role {role.name}: {role.activeImageId === imageId ? 'this is the active image' : role.previousImageId === imageId ? 'this is the previous image' : 'not in use'}</span> : null}
      </div>
      {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}

      <section aria-label="Stage on a spare" className="flex flex-col gap-2">
        <h3 className="text-sm font-semibold text-slate-900">Stage on a spare → health gate</h3>
        {canEdit && !live ? (
          <div className="flex flex-wrap items-end gap-2">
            <label className="flex flex-col text-xs text-slate-700">
              Spare
              <select value={spareId} onChange={(e) => setSpareId(e.target.value)} className="rounded border border-slate-300 px-2 py-1 text-sm">
                <option value="">an idle spare (of the role first)</option>
                {spares.map((s) => (
                  <option key={s.id} value={s.id}>{s.hostname}{s.roleName ? ` (${s.roleName})` : ''}</option>
                ))}
              </select>
            </label>
            <label className="flex flex-col text-xs text-slate-700">
              Gate timeout (s)
              <input type="number" min={10} value={timeoutSeconds} onChange={(e) => setTimeoutSeconds(Number(e.target.value))} className="w-28 rounded border border-slate-300 px-2 py-1 text-sm" />
            </label>
            <Button onClick={() => act('POST', `/api/v1/images/${imageId}/stage`, { ...(spareId ? { hostId: spareId } : {}), timeoutSeconds })} disabled={disabled || !['ready', 'verified', 'failed'].includes(status ?? '')}>
              Stage on a spare
            </Button>
          </div>
        ) : null}
        {stage ? (
          <div className="rounded border border-slate-200 p-3 text-sm" data-testid="stage">
            <div className="flex flex-wrap items-center gap-2">
              <span data-testid="stage-state"><Badge tone={stageTones[stage.state] ?? 'neutral'}>{stage.state.replace('_', ' ')}</Badge></span>
              <span>{stageWords[stage.state]} on <strong>{stage.host.hostname}</strong></span>
              <HostStateBadge state={stage.host.state} />
              {live ? <span className="text-xs text-slate-600">deadline {new Date(stage.deadlineAt).toLocaleTimeString()}</span> : null}
              {live && canEdit ? <Button kind="secondary" onClick={() => act('POST', `/api/v1/stages/${stage.id}/cancel`)} disabled={disabled}>Cancel</Button> : null}
            </div>
            {stage.state === 'waiting_manual' ? <p className="mt-2 font-medium text-amber-900">Reboot {stage.host.hostname} by hand now: the gate waits for it to come up with the candidate.</p> : null}
            {stage.reason && stage.state !== 'waiting_manual' ? <p className="mt-2 text-slate-700" data-testid="stage-reason">{stage.reason}</p> : null}
            {events.length ? (
              <details className="mt-2" open={stage.state === 'failed'}>
                <summary className="cursor-pointer text-xs text-slate-600">The spare&apos;s boot events ({events.length})</summary>
                <ol className="mt-1 max-h-48 overflow-auto font-mono text-xs text-slate-700">
                  {events.map((e, i) => (
                    <li key={i}>{new Date(e.at).toLocaleTimeString()} {e.source}/{e.type}{e.detail && (e.detail.reason || e.detail.file) ? ` ${String(e.detail.reason ?? e.detail.file)}` : ''}</li>
                  ))}
                </ol>
              </details>
            ) : null}
            {logLines?.length ? (
              <details className="mt-2" open={stage.state === 'failed'} data-testid="spare-log">
                <summary className="cursor-pointer text-xs text-slate-600">The spare&apos;s last log lines ({logLines.length})</summary>
                <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap font-mono text-xs text-slate-700">{logLines.join('\n')}</pre>
              </details>
            ) : null}
          </div>
        ) : (
          <p className="text-sm text-slate-600">Not staged yet.</p>
        )}
      </section>

      <section aria-label="Promote and roll out" className="flex flex-col gap-2">
        <h3 className="text-sm font-semibold text-slate-900">Promote and roll out</h3>
        {canEdit ? (
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => act('POST', `/api/v1/images/${imageId}/promote`)} disabled={disabled || status !== 'verified' || Boolean(rolloutLive)}>
              Promote and roll out
            </Button>
            <Button kind="danger" onClick={() => { if (window.confirm(`Roll role ${role?.name} back to its previous image and reboot its hosts?`)) void act('POST', `/api/v1/roles/${roleId}/rollback`); }} disabled={disabled || !role?.previousImageId}>
              Roll back the role
            </Button>
          </div>
        ) : null}
        {rollout ? (
          <div className="rounded border border-slate-200 p-3 text-sm" data-testid="rollout">
            <div className="flex flex-wrap items-center gap-2">
              <span data-testid="rollout-state"><Badge tone={rolloutTones[rollout.state] ?? 'neutral'}>{rollout.state}</Badge></span>
              <span>{rollout.kind} to {rollout.image.version}: batch {Math.min(rollout.currentBatch + 1, rollout.batchCount)} of {rollout.batchCount} (batches of {rollout.batchSize}, at most {rollout.maxConcurrentBoots} booting), {rollout.failures} failed (stops at {rollout.maxFailures})</span>
              {canEdit && rollout.state === 'running' ? <Button kind="secondary" onClick={() => act('POST', `/api/v1/rollouts/${rollout.id}/pause`)} disabled={disabled}>Pause</Button> : null}
              {canEdit && rollout.state === 'paused' ? <Button kind="secondary" onClick={() => act('POST', `/api/v1/rollouts/${rollout.id}/resume`)} disabled={disabled}>Resume</Button> : null}
              {canEdit && rolloutLive ? <Button kind="danger" onClick={() => act('POST', `/api/v1/rollouts/${rollout.id}/abort`)} disabled={disabled}>Abort</Button> : null}
            </div>
            {rollout.reason ? <p className="mt-1 text-slate-700">{rollout.reason}</p> : null}
            <table className="mt-2 w-full text-left text-xs" aria-label="Rollout hosts">
              <thead>
                <tr className="text-slate-600"><th className="py-1">Host</th><th>Batch</th><th>Rollout</th><th>Host state</th><th>Note</th></tr>
              </thead>
              <tbody>
                {rollout.hosts.map((h) => (
                  <tr key={h.hostId} className="border-t border-slate-100" data-host={h.host.hostname}>
                    <td className="py-1 font-medium">{h.host.hostname}</td>
                    <td>{h.batch + 1}</td>
                    <td><Badge tone={rolloutTones[h.state] ?? 'neutral'}>{h.state.replace('_', ' ')}</Badge></td>
                    <td><HostStateBadge state={h.host.state} /></td>
                    <td className="text-slate-600">{h.state === 'waiting_manual' ? `reboot ${h.host.hostname} by hand` : h.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}
