'use client';
// The fleet at a glance: every host as a tile in its state's colour and word, grouped by role,
// counts per state, filters, live over the event stream (host-state events only). Built for
// 10,000 hosts: the page sends the fleet once, as one compact string per role (lib/fleet-
// wire.ts), and the tiles are built from it in the browser as HTML strings (React neither
// renders, hydrates nor diffs tiles), in chunks: the first chunks before the first paint, the
// rest in short tasks right after, so the page answers input while the tiles off screen are
// still being added. A tile is one <a> with its state in an attribute; a state change rewrites
// that one tile; chunks off screen are skipped by the browser's layout (content-visibility). A
// host added after the page loaded gets its tile when its first host-state event arrives.
import './fleet-grid.css';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { Badge, hostStateTone } from '@/components/badge.tsx';
import { decodeFleet, fleetStates as states, type Fleet, type FleetGroup, type FleetSnapshot } from '@/lib/fleet-wire.ts';
/** Tiles per content-visibility chunk: the browser lays out only the chunks on screen. */
const chunkTiles = 240;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function stateWord(state: string, phase: string | null): string {
  return state === 'booting' && phase ? `booting · ${phase}` : state === 'stalled' && phase ? `stalled · ${phase}` : state;
}

function tileHtml(f: Fleet, i: number): string {
  return `<a href="/hosts/${f.ids[i]}" data-s="${states[f.state[i]!]}">${escapeHtml(f.names[i]!)}<b>${escapeHtml(stateWord(states[f.state[i]!]!, f.phase[i]!))}</b></a>`;
}

/** The tiles of one chunk, each hidden or not by the filter. */
function chunkHtml(f: Fleet, members: number[], visible: (i: number) => boolean): string {
  let html = '';
  for (const i of members) html += visible(i) ? tileHtml(f, i) : tileHtml(f, i).replace('<a ', '<a hidden ');
  return html;
}

function sectionHtml(g: FleetGroup, chunks: number): string {
  return `<section class="fleet-group" data-group="${escapeHtml(g.key)}" aria-label="Role ${escapeHtml(g.name)}"><h2>${escapeHtml(g.name)} <span>(<span data-n>${g.count.toLocaleString('en-US')}</span> hosts)</span></h2>${'<div class="fleet-tiles"></div>'.repeat(chunks)}</section>`;
}

/** One chunk of a group's tiles: its element, its hosts, whether its tiles are in the DOM yet. */
interface Chunk {
  el: HTMLElement;
  members: number[];
  filled: boolean;
}

/** Tiles built before the first paint (the first screens); the rest follow in tasks of fillSliceTiles. */
const firstPaintTiles = 720;
const fillSliceTiles = 960;

export function FleetGrid({ snapshot }: { snapshot: FleetSnapshot }) {
  // Decoded in render (server and browser alike: the counts and role list are rendered from it);
  // from then on the arrays grow with hosts added live and change with their states.
  const fleet = useMemo(() => decodeFleet(snapshot), [snapshot]);
  const indexOf = useRef(new Map<string, number>());
  const tiles = useRef<Array<HTMLAnchorElement | undefined>>([]);
  const chunks = useRef<Chunk[][]>([]);
  const tilesRoot = useRef<HTMLDivElement>(null);
  const countStates = useCallback(() => {
    const c = states.map(() => 0);
    for (const s of fleet.state) c[s]!++;
    return c;
  }, [fleet]);
  const [counts, setCounts] = useState(countStates);
  const [groups, setGroups] = useState(fleet.groups);
  const [total, setTotal] = useState(fleet.ids.length);
  const [text, setText] = useState('');
  const [role, setRole] = useState('');
  const [shown, setShown] = useState<Set<number>>(new Set());
  const [live, setLive] = useState(false);
  const filter = useRef({ text: '', role: '', shown: new Set<number>() });

  const visible = useCallback((i: number) => {
    const f = filter.current;
    if (f.shown.size > 0 && !f.shown.has(fleet.state[i]!)) return false;
    if (f.role && fleet.groups[fleet.group[i]!]!.key !== f.role) return false;
    return !f.text || fleet.names[i]!.includes(f.text);
  }, [fleet]);

  const applyFilter = useCallback(() => {
    const els = tiles.current;
    const anyInGroup = fleet.groups.map(() => false);
    for (let i = 0; i < fleet.ids.length; i++) {
      const v = visible(i);
      if (v) anyInGroup[fleet.group[i]!] = true;
      const el = els[i];
      if (el && el.hidden === v) el.hidden = !v;
    }
    tilesRoot.current?.querySelectorAll<HTMLElement>('section[data-group]').forEach((section, gi) => {
      if (section.hidden === anyInGroup[gi]) section.hidden = !anyInGroup[gi];
    });
  }, [fleet, visible]);

  const fill = useCallback((chunk: Chunk) => {
    chunk.el.innerHTML = chunkHtml(fleet, chunk.members, visible);
    const els = chunk.el.children;
    chunk.members.forEach((i, k) => (tiles.current[i] = els[k] as HTMLAnchorElement));
    chunk.filled = true;
  }, [fleet, visible]);

  // Before the first paint: the sections, the first screens of tiles; the rest right after.
  useLayoutEffect(() => {
    const root = tilesRoot.current;
    if (!root) return;
    const members = fleet.groups.map((): number[] => []);
    fleet.group.forEach((g, i) => members[g]!.push(i));
    root.innerHTML = fleet.groups.map((g, gi) => sectionHtml(g, Math.ceil(members[gi]!.length / chunkTiles))).join('');
    chunks.current = [...root.querySelectorAll('section[data-group]')].map((section, gi) =>
      [...section.querySelectorAll<HTMLElement>('.fleet-tiles')].map((el, c) => ({ el, members: members[gi]!.slice(c * chunkTiles, (c + 1) * chunkTiles), filled: false })),
    );
    indexOf.current = new Map(fleet.ids.map((id, i) => [id, i]));
    const queue = chunks.current.flat();
    let built = 0;
    while (queue.length > 0 && built < firstPaintTiles) {
      const chunk = queue.shift()!;
      fill(chunk);
      built += chunk.members.length;
    }
    applyFilter();
    // For the benchmark (bench/events): the tiles answer clicks, filters and live updates from here on.
    performance.mark('fleet-interactive');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fillSome = () => {
      let n = 0;
      while (queue.length > 0 && n < fillSliceTiles) {
        const chunk = queue.shift()!;
        if (!chunk.filled) fill(chunk);
        n += chunk.members.length;
      }
      if (queue.length > 0) timer = setTimeout(fillSome, 0);
      else performance.mark('fleet-complete');
    };
    timer = setTimeout(fillSome, 0);
    return () => clearTimeout(timer);
    // Filters change later through applyFilter; this runs once per snapshot.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fleet]);

  useEffect(() => {
    filter.current = { text: text.trim(), role, shown };
    applyFilter();
  }, [text, role, shown, applyFilter]);

  /** A host the page didn't know: a tile at the end of its role's group (a new group for a new role). */
  const addTile = useCallback((hostId: string, hostname: string, roleId: string | null) => {
    const root = tilesRoot.current;
    if (!root) return -1;
    const key = roleId ?? 'none';
    let gi = fleet.groups.findIndex((g) => g.key === key);
    if (gi < 0) {
      gi = fleet.groups.push({ key, name: roleId ? 'New role' : 'No role', count: 0 }) - 1;
      root.insertAdjacentHTML('beforeend', sectionHtml(fleet.groups[gi]!, 0));
      setGroups(fleet.groups.slice());
      if (roleId) {
        // The stream names the role by id; its name comes from the API.
        void fetch(`/api/v1/roles/${roleId}`).then((r) => (r.ok ? r.json() : null)).then((r: { name?: string } | null) => {
          if (!r?.name) return;
          fleet.groups[gi]!.name = r.name;
          const section = root.querySelectorAll<HTMLElement>('section[data-group]')[gi];
          section?.setAttribute('aria-label', `Role ${r.name}`);
          if (section?.firstChild?.firstChild) section.firstChild.firstChild.textContent = `${r.name} `;
          setGroups(fleet.groups.slice());
        }).catch(() => undefined);
      }
    }
    const i = fleet.ids.push(hostId) - 1;
    fleet.names.push(hostname);
    fleet.group.push(gi);
    fleet.state.push(0);
    fleet.phase.push(null);
    const group = fleet.groups[gi]!;
    group.count++;
    const section = root.querySelectorAll<HTMLElement>('section[data-group]')[gi]!;
    const groupChunks = (chunks.current[gi] ??= []);
    let chunk = groupChunks[groupChunks.length - 1];
    if (!chunk || chunk.members.length >= chunkTiles) {
      const el = document.createElement('div');
      el.className = 'fleet-tiles';
      section.appendChild(el);
      chunk = { el, members: [], filled: true };
      groupChunks.push(chunk);
    }
    chunk.members.push(i);
    // A chunk not built yet gets the tile when it is.
    if (chunk.filled) {
      chunk.el.insertAdjacentHTML('beforeend', tileHtml(fleet, i));
      tiles.current[i] = chunk.el.lastElementChild as HTMLAnchorElement;
    }
    const n = section.querySelector('[data-n]');
    if (n) n.textContent = group.count.toLocaleString('en-US');
    indexOf.current.set(hostId, i);
    setTotal(fleet.ids.length);
    return i;
  }, [fleet]);

  useEffect(() => {
    let frame = 0;
    const source = new EventSource(`/api/v1/events/stream?type=host-state&after=${snapshot.afterSeq}`);
    source.addEventListener('host-state', (msg) => {
      const e = JSON.parse((msg as MessageEvent<string>).data) as { hostId: string | null; hostname: string | null; roleId: string | null; detail: { state?: string; phase?: string | null } };
      const s = states.indexOf(e.detail.state as (typeof states)[number]);
      if (!e.hostId || s < 0) return;
      let i = indexOf.current.get(e.hostId);
      if (i === undefined && e.hostname) i = addTile(e.hostId, e.hostname, e.roleId);
      if (i === undefined || i < 0) return;
      fleet.state[i] = s;
      fleet.phase[i] = e.detail.phase ?? null;
      const el = tiles.current[i];
      if (el) {
        el.dataset.s = states[s]!;
        el.lastChild!.textContent = stateWord(states[s]!, fleet.phase[i]!);
        el.removeAttribute('title');
        const v = visible(i);
        if (el.hidden === v) el.hidden = !v;
        const section = el.closest('section');
        if (v && section?.hidden) section.hidden = false;
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
  }, [snapshot, fleet, visible, addTile, countStates]);

  /** A tile's full name and state on hover (names may be cut short), set when first needed. */
  const titleOnHover = (e: MouseEvent<HTMLDivElement>) => {
    const a = (e.target as HTMLElement).closest('a');
    if (a && !a.title) a.title = `${a.firstChild?.textContent ?? ''}: ${a.lastChild?.textContent ?? ''}`;
  };

  return (
    <div data-testid="fleet">
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
      {total === 0 ? <p className="text-sm text-slate-600">No hosts yet.</p> : null}
      {/* Filled by the layout effect above, never by React. */}
      <div ref={tilesRoot} className="fleet-groups" onMouseOver={titleOnHover} />
    </div>
  );
}
