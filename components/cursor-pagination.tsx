// Server-side pages through cursors: links keep the current filters and change only the cursor.
// A cursor can't jump back, so the way back is "first page" (the page number is for reading).
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
}

function href(basePath: string, params: Record<string, string | undefined>, extra: Record<string, string>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...extra })) if (v) sp.set(k, v);
  const qs = sp.toString();
  return qs ? `${basePath}?${qs}` : basePath;
}

const linkClass = 'rounded-md px-3 py-1.5 text-sm font-medium text-blue-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50';

export function CursorPagination({ basePath, params, nextCursor, page, shown, total, noun, cursorParam = 'cursor', firstLabel = 'First page', nextLabel = 'Next page' }: Props) {
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 px-4 py-3 text-sm text-slate-600">
      <p>
        Page {page} · {shown.toLocaleString('en-US')} {total !== undefined ? `of ${total.toLocaleString('en-US')} ` : ''}
        {noun}
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
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
