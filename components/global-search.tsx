'use client';
// The console's search box, on every page: `/` focuses it (unless a field has the keyboard),
// hits appear as you type (hosts by name, MAC, IP or serial; roles; images; networks), arrow
// keys and Enter open one, Enter with nothing chosen opens the hosts list searched for the term.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { apiRequest } from './api-request.ts';

interface Hit { id: string; label: string; detail: string; href: string }
interface Group { total: number; items: Hit[] }
interface Result { q: string; hosts: Group; roles: Group; images: Group; networks: Group }

const groups = [['hosts', 'Hosts'], ['roles', 'Roles'], ['images', 'Images'], ['networks', 'Networks']] as const;
const typingMs = 150;

function typingInField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)));
}

export function GlobalSearch() {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInField(e.target)) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const term = q.trim();
    if (!term) return;
    let stale = false;
    const timer = setTimeout(() => {
      void apiRequest<Result>('GET', `/api/v1/search?q=${encodeURIComponent(term)}`).then((r) => {
        if (!stale && r.ok) {
          setResult(r.data);
          setActive(-1);
        }
      });
    }, typingMs);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [q]);

  const shown = q.trim() && result?.q === q.trim() ? result : null;
  const hits = shown ? groups.flatMap(([key]) => shown[key].items) : [];

  function go(href: string) {
    setOpen(false);
    setQ('');
    setResult(null);
    input.current?.blur();
    router.push(href);
  }

  function onKeyDown(e: React.KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(hits.length - 1, a + 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(-1, a - 1)); }
    else if (e.key === 'Escape') { setOpen(false); input.current?.blur(); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      const hit = hits[active];
      if (hit) go(hit.href);
      else if (q.trim()) go(`/hosts?q=${encodeURIComponent(q.trim())}`);
    }
  }

  // Each hit's place in the arrow-key order (groups in order, hits in order).
  const starts: Record<string, number> = {};
  let counted = 0;
  for (const [key] of groups) {
    starts[key] = counted;
    counted += shown?.[key].items.length ?? 0;
  }
  return (
    <div className="relative px-3" role="search">
      <label htmlFor="global-search" className="sr-only">Find hosts, roles, images, networks</label>
      <input
        ref={input}
        id="global-search"
        type="search"
        autoComplete="off"
        placeholder="Search  /"
        value={q}
        onChange={(e) => { setQ(e.target.value); setOpen(true); }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={open && Boolean(shown)}
        aria-controls="global-search-results"
        className="w-full rounded-md border border-slate-600 bg-slate-800 px-2.5 py-1.5 text-sm text-white placeholder:text-slate-400 focus:border-blue-400 focus:outline-none"
      />
      {open && shown ? (
        <div id="global-search-results" role="listbox" aria-label="Search results" className="absolute top-full left-3 z-40 mt-1 max-h-[70vh] w-[28rem] max-w-[90vw] overflow-y-auto rounded-md border border-slate-200 bg-white text-sm shadow-lg">
          {hits.length === 0 ? <p className="px-3 py-2 text-slate-600">Nothing matches {shown.q}</p> : null}
          {groups.map(([key, title]) => {
            const g = shown[key];
            if (!g.items.length) return null;
            return (
              <div key={key} className="border-b border-slate-100 py-1 last:border-0">
                <p className="px-3 py-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                  {title} <span className="font-normal normal-case">{g.total > g.items.length ? `(${g.items.length} of ${g.total.toLocaleString('en-US')})` : `(${g.total})`}</span>
                </p>
                {g.items.map((hit, i) => {
                  const mine = starts[key]! + i;
                  return (
                    <a
                      key={hit.id}
                      href={hit.href}
                      role="option"
                      aria-selected={mine === active}
                      onMouseDown={(e) => { e.preventDefault(); go(hit.href); }}
                      className={`flex flex-col px-3 py-1.5 ${mine === active ? 'bg-blue-50' : 'hover:bg-slate-50'}`}
                    >
                      <span className="font-medium text-slate-900">{hit.label}</span>
                      <span className="truncate text-xs text-slate-600">{hit.detail}</span>
                    </a>
                  );
                })}
                {key === 'hosts' && g.total > g.items.length ? (
                  <a href={`/hosts?q=${encodeURIComponent(shown.q)}`} onMouseDown={(e) => { e.preventDefault(); go(`/hosts?q=${encodeURIComponent(shown.q)}`); }} className="block px-3 py-1 text-xs text-blue-700 hover:underline">
                    All {g.total.toLocaleString('en-US')} matching hosts →
                  </a>
                ) : null}
              </div>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
