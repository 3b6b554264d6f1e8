'use client';
// The hosts list's saved filters: the signed-in user's named views as links (each a URL that can
// be shared), a delete per filter, and "Save this filter" when the list is filtered.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiRequest } from './api-request.ts';
import { useHydrated } from './use-hydrated.ts';

interface SavedFilter { id: string; name: string; href: string }

export function SavedFilters({ saved, query }: { saved: SavedFilter[]; query: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    const r = await apiRequest('POST', '/api/v1/saved-filters', { name, query });
    if (!r.ok) return setError(r.fieldErrors.name ?? r.fieldErrors.query ?? r.error);
    setNaming(false);
    setName('');
    setError(null);
    router.refresh();
  }

  async function remove(f: SavedFilter) {
    const r = await apiRequest('DELETE', `/api/v1/saved-filters/${f.id}`);
    if (!r.ok) return setError(r.error);
    router.refresh();
  }

  if (!saved.length && !query) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2 text-sm" data-testid="saved-filters">
      <span className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Saved filters</span>
      {saved.map((f) => (
        <span key={f.id} className="inline-flex items-center rounded-full bg-slate-100 text-slate-800">
          <Link href={f.href} className="py-0.5 pr-1 pl-2.5 hover:underline">{f.name}</Link>
          <button type="button" aria-label={`Delete saved filter ${f.name}`} disabled={!hydrated} onClick={() => void remove(f)} className="rounded-full px-1.5 text-slate-500 hover:text-red-700">×</button>
        </span>
      ))}
      {query ? (
        naming ? (
          <form onSubmit={(e) => void save(e)} className="flex items-center gap-1">
            <label htmlFor="saved-filter-name" className="sr-only">Name of this filter</label>
            <input id="saved-filter-name" autoFocus value={name} onChange={(e) => setName(e.target.value)} maxLength={64} className="rounded border border-slate-300 px-2 py-0.5 text-sm" placeholder="name" aria-invalid={Boolean(error)} />
            <button type="submit" className="rounded bg-slate-800 px-2 py-0.5 text-white" disabled={!hydrated || !name.trim()}>Save</button>
            <button type="button" className="px-1 text-slate-600" onClick={() => { setNaming(false); setError(null); }}>Cancel</button>
          </form>
        ) : (
          <button type="button" className="text-blue-700 hover:underline" disabled={!hydrated} onClick={() => setNaming(true)}>Save this filter…</button>
        )
      ) : null}
      {error ? <p role="alert" className="basis-full text-xs text-red-700">{error}</p> : null}
    </div>
  );
}
