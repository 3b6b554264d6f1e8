// Byte ranges and validators for file downloads (RFC 9110 §14 Range, §13 conditional requests,
// §8.8.3 ETag): bootd's boot files, and the artifacts the console hands its boot servers.
// Pure: header text in, decision out.

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive (RFC 9110 §14.1.1). */
  end: number;
}

export type RangeDecision =
  | { kind: 'whole' }
  | { kind: 'partial'; ranges: ByteRange[] }
  /** RFC 9110 §15.5.17: no range overlaps the file → 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

/** More ranges than this in one request are answered with the whole file (RFC 9110 §14.2 allows ignoring Range). */
export const maxRangesPerRequest = 16;

/** RFC 9110 §14.1.2: `bytes=0-99`, `bytes=100-`, `bytes=-500`, comma-separated. */
export function decideRange(header: string | undefined, sizeBytes: number): RangeDecision {
  if (!header) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  // An unknown unit or a malformed header is ignored: the whole file (RFC 9110 §14.2).
  if (!match) return { kind: 'whole' };
  const specs = match[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0 || specs.length > maxRangesPerRequest) return { kind: 'whole' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const m = /^(\d*)-(\d*)$/.exec(spec);
    if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
    if (m[1] === '') {
      const suffix = Number(m[2]);
      if (suffix === 0 || sizeBytes === 0) continue;
      ranges.push({ start: Math.max(0, sizeBytes - suffix), end: sizeBytes - 1 });
      continue;
    }
    const start = Number(m[1]);
    const end = m[2] === '' ? sizeBytes - 1 : Math.min(Number(m[2]), sizeBytes - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' };
    if (start >= sizeBytes) continue;
    ranges.push({ start, end });
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  return { kind: 'partial', ranges };
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current file. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}

/** RFC 9110 §13.1.5: If-Range with an entity tag uses the strong comparison. */
export function rangeStillValid(ifRange: string | undefined, etag: string, lastModified: string): boolean {
  if (!ifRange) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return !etag.startsWith('W/') && value === etag;
  return value === lastModified;
}
