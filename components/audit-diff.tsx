// What an audited change did: the fields that differ, before → after. A create or a delete
// names the record and folds its fields away (a page of creates would otherwise be all fields).
import type { ReactNode } from 'react';

const ignoredKeys = new Set(['updatedAt', 'createdAt']);

const shownChars = 160;

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  const text = typeof value === 'string' ? (value === '' ? '""' : value) : JSON.stringify(value);
  return text.length > shownChars ? `${text.slice(0, shownChars)}…` : text;
}

/** The record's own name, for the one-line summary of a create or delete. */
function recordName(row: Record<string, unknown>): string | null {
  for (const key of ['hostname', 'name', 'username', 'version']) if (typeof row[key] === 'string') return row[key];
  if (typeof row.count === 'number') return `${row.count} records`;
  return null;
}

export function changedFields(before: unknown, after: unknown): Array<{ key: string; before: unknown; after: unknown }> {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  // A related record copied beside its id (role next to roleId) says nothing the id doesn't.
  const related = (k: string) => `${k}Id` in a || `${k}Id` in b;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !ignoredKeys.has(k) && !related(k));
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ key: k, before: b[k], after: a[k] }));
}

export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const changes = changedFields(before, after);
  if (changes.length === 0) return <span className="text-slate-400">no field changed</span>;
  const creating = before === null || before === undefined;
  const deleting = after === null || after === undefined;
  if (creating || deleting) {
    const row = ((creating ? after : before) ?? {}) as Record<string, unknown>;
    const filled = changes.filter((c) => { const v = creating ? c.after : c.before; return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0); });
    return (
      <details className="text-xs">
        <summary className="cursor-pointer text-slate-700">
          <span className={`font-mono ${creating ? 'text-green-800' : 'text-red-800 line-through'}`}>{recordName(row) ?? 'record'}</span>
          <span className="text-slate-500"> · {filled.length} fields</span>
        </summary>
        <FieldList changes={filled} render={(c) => <span className={creating ? 'text-green-800' : 'text-red-800'}>{show(creating ? c.after : c.before)}</span>} />
      </details>
    );
  }
  return (
    <FieldList
      changes={changes}
      render={(c) => (
        <>
          <span className="text-red-800 line-through decoration-red-400">{show(c.before)}</span>
          <span aria-label="changed to" className="px-1 text-slate-400">→</span>
          <span className="text-green-800">{show(c.after)}</span>
        </>
      )}
    />
  );
}

type Change = ReturnType<typeof changedFields>[number];

function FieldList({ changes, render }: { changes: Change[]; render: (c: Change) => ReactNode }) {
  return (
    <dl className="mt-1 grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5 font-mono text-xs">
      {changes.map((c) => (
        <div key={c.key} className="contents">
          <dt className="text-slate-500">{c.key}</dt>
          <dd className="break-all">{render(c)}</dd>
        </div>
      ))}
    </dl>
  );
}
