// Reading recorded boot consoles: a boot's whole text, and the lines of a host's consoles that
// contain a search term, each with the boot it belongs to and when its chunk arrived.
import { notFound } from '../errors.ts';
import { findBootSession, readBootConsole, searchHostConsoles } from './boot-console-queries.ts';

export async function getBootConsoleOrThrow(sessionId: string): Promise<{ hostname: string | null; startedAt: Date; text: string }> {
  const session = await findBootSession(sessionId);
  if (!session) throw notFound('boot');
  const chunks = await readBootConsole(sessionId);
  return { hostname: session.host?.hostname ?? null, startedAt: session.startedAt, text: chunks.map((c) => c.text).join('') };
}

export async function searchConsoleLines(hostId: string, term: string, limit: number): Promise<Array<{ sessionId: string; at: Date; line: string }>> {
  const needle = term.toLowerCase();
  const chunks = await searchHostConsoles(hostId, term, limit);
  return chunks.flatMap((c) => c.text.split('\n').filter((l) => l.toLowerCase().includes(needle)).map((line) => ({ sessionId: c.sessionId, at: c.at, line }))).slice(0, limit);
}
