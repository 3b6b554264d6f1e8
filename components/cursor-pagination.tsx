// Server-side pages through cursors: links keep the current filters and change only the cursor.
// A list that can read backwards (prevCursor: the page before, read from its first row) gets
// "Previous"; others go back to the first page. With pageSize the line says which rows these are
// ("51–100 of 2,020") and offers other page sizes.
import Link from 'next/link';

interface Props {
  basePath: string;
  /** The current query (filters), without cursor/page. */
  params: Record<string, string | undefined>;
  nextCursor: string | null;
  page: number;
  shown: number;
  total?: number;
  noun: string;
  cursorParam?: string;
  firstLabel?: string;
  nextLabel?: string;
  /** the cursor of the page before this one (read backwards), when the list can */
  prevCursor?: string | null;
  prevParam?: string;
  pageSize?: number;
  pageSizes?: readonly number[];
}

function href(basePath: string, params: Record<string, string | undefined>, extra: Record<string, string>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...extra })) if (v) sp.set(k, v);
  const qs = sp.toString();
  return qs ? `${basePath}?${qs}` : basePath;
}

const linkClass = 'rounded-md px-3 py-1.5 text-sm font-medium text-blue-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50';

const n = (v: number) => v.toLocaleString('en-US');

export function CursorPagination({ basePath, params, nextCursor, page, shown, total, noun, cursorParam = 'cursor', firstLabel = 'First page', nextLabel = 'Next page', prevCursor, prevParam = 'before', pageSize, pageSizes }: Props) {
  const from = pageSize ? (page - 1) * pageSize + 1 : 0;
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
      <p data-testid="page-position">
        {pageSize && shown > 0 ? `${n(from)}–${n(from + shown - 1)}` : `Page ${page} · ${n(shown)}`} {total !== undefined ? `of ${n(total)} ` : ''}
        {noun}
      </p>
      {pageSize && pageSizes ? (
        <p className="flex items-center gap-1">
          Per page:
          {pageSizes.map((size) => (size === pageSize ? <span key={size} aria-current="true" className="px-1.5 font-semibold text-slate-900">{size}</span> : <Link key={size} className="px-1.5 text-blue-700 hover:underline" href={href(basePath, { ...params, limit: String(size) }, {})}>{size}</Link>))}
        </p>
      ) : null}
      <div className="flex gap-2">
        {page > 2 ? (
          <Link className={linkClass} href={href(basePath, params, {})}>
            ⇤ {firstLabel}
          </Link>
        ) : null}
        {prevCursor !== undefined && page > 1 ? (
          <Link className={linkClass} href={page === 2 || !prevCursor ? href(basePath, params, {}) : href(basePath, params, { [prevParam]: prevCursor, page: String(page - 1) })}>
            ← Previous
          </Link>
        ) : page > 1 && page <= 2 ? (
          <Link className={linkClass} href={href(basePath, params, {})}>
            ← {firstLabel}
          </Link>
        ) : null}
        {nextCursor ? (
          <Link className={linkClass} href={href(basePath, params, { [cursorParam]: nextCursor, page: String(page + 1) })}>
            {nextLabel} →
          </Link>
        ) : null}
      </div>
    </nav>
  );
}
