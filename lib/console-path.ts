// Where the console may send a browser after signing in: a path on its own origin, never
// another site. Browsers read `//evil.example` and `/\evil.example` as another host (the URL
// standard treats `\` as `/` in http(s) URLs), and drop tabs and newlines inside a URL, so
// `/\t/evil.example` is `//evil.example` too.
/** `next` itself when it is a path on this origin (one leading `/`; so no scheme), else null. */
export function consolePathOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return null;
  if (value[0] !== '/' || value[1] === '/') return null;
  if (value.includes('\\')) return null;
  // C0 controls, DEL and the C1 range: never part of a path we'd link to.
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return null;
  }
  return value;
}

/** The path to go to after signing in: `next` when it is a console path, else the dashboard. */
export function consolePathOr(value: unknown, fallback = '/'): string {
  return consolePathOrNull(value) ?? fallback;
}
