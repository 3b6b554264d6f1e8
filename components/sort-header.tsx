// A column header that orders a server-rendered list: a link to the same filters with this
// column's sort (a second click reverses it); the cursor starts over.
import Link from 'next/link';
import { Th } from './data-table.tsx';

interface Props {
  basePath: string;
  /** The current filters, without cursor/page/sort/order. */
  params: Record<string, string | undefined>;
  field: string;
  label: string;
  sort: string;
  order: 'asc' | 'desc';
}

export function SortHeader({ basePath, params, field, label, sort, order }: Props) {
  const active = sort === field;
  const next = active && order === 'asc' ? 'desc' : 'asc';
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, sort: field, order: next })) if (v) sp.set(k, v);
  return (
    <Th aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <Link href={`${basePath}?${sp}`} className="inline-flex items-center gap-1 hover:text-slate-900">
        {label}
        <span aria-hidden className={active ? 'text-slate-900' : 'text-slate-300'}>
          {active && order === 'desc' ? '↓' : '↑'}
        </span>
      </Link>
    </Th>
  );
}
