'use client';
// The fleet at a glance: every host as a tile in its state's colour and word, grouped by role,
// counts per state, filters, live over the event stream (host-state events only). Built for
// 10,000 hosts: each role's tiles are one server-rendered HTML string (React neither renders nor
// hydrates tiles one by one), a state change rewrites one tile's attributes, and groups off
// screen are skipped by the browser (content-visibility).
import './fleet-grid.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Badge, hostStateTone } from '@/components/badge.tsx';
import type { FleetSnapshot } from '@/server/fleet/queries.ts';

const states = ['registered', 'discovered', 'booting', 'up', 'failed', 'stalled', 'offline'] as const;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function stateWord(state: string, phase: string | null): string {
  return state === 'booting' && phase ? `booting · ${phase}` : state === 'stalled' && phase ? `stalled · ${phase}` : state;
}

function tileHtml(snap: FleetSnapshot, i: number): string {
  const state = states[snap.stateIndex[i]!]!;
  const name = escapeHtml(snap.hostnames[i]!);
  const word = escapeHtml(stateWord(state, snap.phases[i] ?? null));
  return `<a href="/hosts/${snap.hostIds[i]}" data-i="${i}" data-s="${state}" title="${name}: ${word}">${name}<b>${word}</b></a>`;
}

interface Group {
  key: string;
  name: string;
  members: number[];
}

function groupsOf(snap: FleetSnapshot): Group[] {
  const byRole = new Map<number, number[]>();
  snap.roleIndex.forEach((r, i) => {
    const list = byRole.get(r) ?? [];
    list.push(i);
    byRole.set(r, list);
  });
  return [...byRole.entries()]
    .sort(([a], [b]) => (a === -1 ? 1 : b === -1 ? -1 : a - b))
    .map(([r, members]) => ({ key: r === -1 ? 'none' : snap.roles[r]!.id, name: r === -1 ? 'No role' : snap.roles[r]!.name, members }));
}

/** The tiles: rendered once, never re-rendered by React (updates go straight to the DOM). */
const Tiles = memo(function Tiles({ snap, groups }: { snap: FleetSnapshot; groups: Group[] }) {
  return (
    <>
      {groups.map((g) => (
        <section key={g.key} className="fleet-group mb-4" data-group={g.key} aria-label={`Role ${g.name}`}>
          <h2 className="mb-1 text-sm font-semibold text-slate-800">
            {g.name} <span className="font-normal text-slate-500">({g.members.length.toLocaleString('en-US')} hosts)</span>
          </h2>
          <div className="fleet-tiles" dangerouslySetInnerHTML={{ __html: g.members.map((i) => tileHtml(snap, i)).join('') }} />
        </section>
      ))}
    </>
  );
});

export function FleetGrid({ snapshot }: { snapshot: FleetSnapshot }) {
  const groups = useMemo(() => groupsOf(snapshot), [snapshot]);
  const stateOf = useRef(Int8Array.from(snapshot.stateIndex));
  const phaseOf = useRef(snapshot.phases.slice());
  const indexOf = useMemo(() => new Map(snapshot.hostIds.map((id, i) => [id, i])), [snapshot]);
  const tiles = useRef<HTMLAnchorElement[]>([]);
  const root = useRef<HTMLDivElement>(null);
  const countStates = () => {
    const c = states.map(() => 0);
    for (const s of stateOf.current) c[s]!++;
    return c;
  };
  const [counts, setCounts] = useState(countStates);
  const [text, setText] = useState('');
  const [role, setRole] = useState('');
  const [shown, setShown] = useState<Set<number>>(new Set());
  const [live, setLive] = useState(false);
  const filter = useRef({ text: '', role: '', shown: new Set<number>() });

  const visible = useCallback((i: number) => {
    const f = filter.current;
    if (f.shown.size > 0 && !f.shown.has(stateOf.current[i]!)) return false;
    if (f.role && (snapshot.roleIndex[i] === -1 ? 'none' : snapshot.roles[snapshot.roleIndex[i]!]!.id) !== f.role) return false;
    return !f.text || snapshot.hostnames[i]!.includes(f.text);
  }, [snapshot]);

  const applyFilter = useCallback(() => {
    const els = tiles.current;
    for (const g of groups) {
      let any = false;
      for (const i of g.members) {
        const v = visible(i);
        any ||= v;
        const el = els[i];
        if (el && el.hidden === v) el.hidden = !v;
      }
      const section = root.current?.querySelector<HTMLElement>(`[data-group="${g.key}"]`);
      if (section) section.hidden = !any;
    }
  }, [groups, visible]);

  useEffect(() => {
    const list: HTMLAnchorElement[] = [];
    root.current?.querySelectorAll<HTMLAnchorElement>('a[data-i]').forEach((a) => (list[Number(a.dataset.i)] = a));
    tiles.current = list;
    // For the benchmark (bench/events): the tiles answer clicks and live updates from here on.
    performance.mark('fleet-interactive');
  }, [snapshot]);

  useEffect(() => {
    filter.current = { text: text.trim(), role, shown };
    applyFilter();
  }, [text, role, shown, applyFilter]);

  useEffect(() => {
    let frame = 0;
    const source = new EventSource(`/api/v1/events/stream?type=host-state&after=${snapshot.afterSeq}`);
    source.addEventListener('host-state', (msg) => {
      const e = JSON.parse((msg as MessageEvent<string>).data) as { hostId: string | null; detail: { state?: string; phase?: string | null } };
      const i = e.hostId ? indexOf.get(e.hostId) : undefined;
      const s = states.indexOf(e.detail.state as (typeof states)[number]);
      if (i === undefined || s < 0) return;
      stateOf.current[i] = s;
      phaseOf.current[i] = e.detail.phase ?? null;
      const el = tiles.current[i];
      if (el) {
        const word = stateWord(states[s]!, phaseOf.current[i] ?? null);
        el.dataset.s = states[s]!;
        el.lastChild!.textContent = word;
        el.title = `${snapshot.hostnames[i]}: ${word}`;
        const v = visible(i);
        if (el.hidden === v) el.hidden = !v;
      }
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setCounts(countStates());
      });
    });
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      source.close();
      cancelAnimationFrame(frame);
    };
  }, [snapshot, indexOf, visible]);

  const total = snapshot.hostIds.length;
  return (
    <div ref={root} data-testid="fleet">
      <div className="sticky top-0 z-10 -mx-1 mb-4 space-y-3 bg-slate-50/95 px-1 py-2 backdrop-blur">
        <div className="flex flex-wrap gap-2" role="group" aria-label="Hosts by state (click to filter)">
          {states.map((s, si) => (
            <button
              key={s}
              type="button"
              data-testid={`fleet-count-${s}`}
              aria-pressed={shown.has(si)}
              onClick={() => setShown((prev) => {
                const next = new Set(prev);
                if (next.has(si)) next.delete(si);
                else next.add(si);
                return next;
              })}
              className={`flex items-center gap-2 rounded-md border px-2 py-1 text-sm ${shown.has(si) ? 'border-slate-900 bg-white' : 'border-slate-200 bg-white hover:border-slate-400'}`}
            >
              <Badge tone={hostStateTone(s)}>{s}</Badge>
              <span className="font-semibold tabular-nums" data-count>{counts[si]!.toLocaleString('en-US')}</span>
            </button>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-2">
            <span className="text-slate-600">Hostname</span>
            <input value={text} onChange={(e) => setText(e.target.value)} placeholder="contains…" className="rounded-md border border-slate-300 px-2 py-1" data-testid="fleet-filter" />
          </label>
          <label className="flex items-center gap-2">
            <span className="text-slate-600">Role</span>
            <select value={role} onChange={(e) => setRole(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1">
              <option value="">all roles</option>
              {groups.map((g) => (
                <option key={g.key} value={g.key}>{g.name}</option>
              ))}
            </select>
          </label>
          <span className="text-slate-500">{total.toLocaleString('en-US')} hosts</span>
          <span className="text-xs text-slate-500" data-testid="fleet-live">{live ? '● live' : 'reconnecting…'}</span>
        </div>
      </div>
      {total === 0 ? <p className="text-sm text-slate-600">No hosts yet.</p> : <Tiles snap={snapshot} groups={groups} />}
    </div>
  );
}
