'use client';
// Which hosts the hosts list has selected: some by id (kept while the operator pages through the
// same filter), or every host the filter matches ("select all N matching"), which the bulk
// action sends as the filter itself, so a selection of 10,000 hosts never travels as ids.
// The page keys this provider by its filter: a new filter starts a new selection.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

export interface HostSelection {
  /** 'filter': every host the filter matches; 'ids': the hosts picked */
  mode: 'ids' | 'filter';
  ids: ReadonlySet<string>;
  /** the hosts the selection holds */
  count: number;
  /** the hosts the filter matches */
  total: number;
  filter: Record<string, string>;
  pageIds: readonly string[];
  toggle(id: string, on: boolean): void;
  setPage(on: boolean): void;
  selectAllMatching(): void;
  clear(): void;
}

const SelectionContext = createContext<HostSelection | null>(null);

export function useHostSelection(): HostSelection {
  const s = useContext(SelectionContext);
  if (!s) throw new Error('useHostSelection outside HostSelectionProvider');
  return s;
}

interface Props {
  pageIds: string[];
  total: number;
  /** the list's filter, as the URL and POST /hosts/bulk's filter spell it */
  filter: Record<string, string>;
  children: ReactNode;
}

export function HostSelectionProvider({ pageIds, total, filter, children }: Props) {
  const [mode, setMode] = useState<'ids' | 'filter'>('ids');
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const value: HostSelection = {
    mode,
    ids,
    count: mode === 'filter' ? total : ids.size,
    total,
    filter,
    pageIds,
    toggle(id, on) {
      if (mode === 'filter') {
        // Unticking one host of "all matching" turns the selection into the hosts of this page but that one.
        setMode('ids');
        setIds(new Set(pageIds.filter((p) => p !== id)));
        return;
      }
      const next = new Set(ids);
      if (on) next.add(id);
      else next.delete(id);
      setIds(next);
    },
    setPage(on) {
      setMode('ids');
      const next = new Set(mode === 'filter' ? [] : ids);
      for (const id of pageIds) {
        if (on) next.add(id);
        else next.delete(id);
      }
      setIds(next);
    },
    selectAllMatching() {
      setMode('filter');
    },
    clear() {
      setMode('ids');
      setIds(new Set());
    },
  };
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function HostRowCheckbox({ id, hostname }: { id: string; hostname: string }) {
  const s = useHostSelection();
  const checked = s.mode === 'filter' || s.ids.has(id);
  return <input type="checkbox" checked={checked} onChange={(e) => s.toggle(id, e.target.checked)} aria-label={`Select ${hostname}`} className="size-4" />;
}

/** The header's checkbox: this page's rows; indeterminate when some are selected. */
export function HostPageCheckbox() {
  const s = useHostSelection();
  const ref = useRef<HTMLInputElement>(null);
  const picked = s.mode === 'filter' ? s.pageIds.length : s.pageIds.filter((id) => s.ids.has(id)).length;
  const all = s.pageIds.length > 0 && picked === s.pageIds.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = picked > 0 && !all;
  }, [picked, all]);
  return <input ref={ref} type="checkbox" checked={all} onChange={(e) => s.setPage(e.target.checked)} aria-label="Select every host on this page" className="size-4" />;
}

/** "All 50 on this page are selected. Select all 2,020 matching" — shown only when it means more hosts. */
export function SelectAllMatchingNote() {
  const s = useHostSelection();
  const pageAll = s.pageIds.length > 0 && s.pageIds.every((id) => s.ids.has(id));
  const n = (v: number) => v.toLocaleString('en-US');
  if (s.mode === 'filter') {
    return (
      <p className="border-b border-blue-200 bg-blue-50 px-4 py-1.5 text-sm text-blue-900" data-testid="selection-note">
        All {n(s.total)} hosts matching this filter are selected.{' '}
        <button type="button" className="font-medium underline" onClick={s.clear}>Clear the selection</button>
      </p>
    );
  }
  if (!pageAll || s.total <= s.ids.size) return null;
  return (
    <p className="border-b border-blue-200 bg-blue-50 px-4 py-1.5 text-sm text-blue-900" data-testid="selection-note">
      {n(s.ids.size)} hosts selected{s.ids.size === s.pageIds.length ? ', every one on this page' : ''}.{' '}
      <button type="button" className="font-medium underline" onClick={s.selectAllMatching}>Select all {n(s.total)} hosts matching this filter</button>
    </p>
  );
}
