// RFC 4180 CSV: quoted fields with "" escapes, commas and line breaks inside quotes, CRLF or LF.
// Returns the header-keyed records with their 1-based line numbers, or the first syntax error.

export type CsvResult =
  | { ok: true; columns: string[]; records: Array<{ line: number; values: Record<string, string> }> }
  | { ok: false; line: number; error: string };

export function parseCsv(text: string): CsvResult {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM from spreadsheet exports
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (cell !== '') return { ok: false, line, error: 'a quote in the middle of an unquoted field' };
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) return { ok: false, line, error: 'a quoted field is not closed' };
  endRow();
  const header = rows.shift();
  if (!header) return { ok: false, line: 1, error: 'the file is empty' };
  const names = header.cells.map((h) => h.trim());
  const records = [];
  for (const r of rows) {
    if (r.cells.length !== names.length) return { ok: false, line: r.line, error: `${r.cells.length} fields where the header has ${names.length}` };
    records.push({ line: r.line, values: Object.fromEntries(names.map((n, k) => [n, r.cells[k]!])) });
  }
  return { ok: true, columns: names, records };
}
