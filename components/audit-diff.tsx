// What an audited change did: the fields that differ, before → after. A create shows the new
// record's fields, a delete the removed record's.
const ignoredKeys = new Set(['updatedAt', 'createdAt']);

function show(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

export function changedFields(before: unknown, after: unknown): Array<{ key: string; before: unknown; after: unknown }> {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !ignoredKeys.has(k));
  return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({ key: k, before: b[k], after: a[k] }));
}

export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const changes = changedFields(before, after);
  if (changes.length === 0) return <span className="text-slate-400">no field changed</span>;
  const creating = before === null || before === undefined;
  const deleting = after === null || after === undefined;
  return (
    <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-3 gap-y-0.5 font-mono text-xs">
      {changes.map((c) => (
        <div key={c.key} className="contents">
          <dt className="text-slate-500">{c.key}</dt>
          <dd className="break-all">
            {creating ? (
              <span className="text-green-800">{show(c.after)}</span>
            ) : deleting ? (
              <span className="text-red-800 line-through">{show(c.before)}</span>
            ) : (
              <>
                <span className="text-red-800 line-through decoration-red-400">{show(c.before)}</span>
                <span aria-label="changed to" className="px-1 text-slate-400">→</span>
                <span className="text-green-800">{show(c.after)}</span>
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
