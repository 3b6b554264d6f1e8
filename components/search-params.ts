// Next.js hands pages their query as string | string[] | undefined per key; lists want one
// string per key (the last one, as the API's queryObject does).
export type PageSearchParams = Promise<Record<string, string | string[] | undefined>>;

export function flatParams(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (value !== undefined && value !== '') out[k] = value;
  }
  return out;
}

/** The page number the pagination links carry (for display only; the cursor does the work). */
export function pageNumber(params: Record<string, string>): number {
  const n = Number(params.page);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
