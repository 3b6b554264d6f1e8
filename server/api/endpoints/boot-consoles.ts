// Recorded boot consoles: a host's recorded boots with search, and one boot's console as text.
import { getHostOrThrow } from '../../hosts/queries.ts';
import { bootConsoleQuery, hostConsolesQuery } from '../../console/boot-console-schema.ts';
import { listRecordedBoots } from '../../console/boot-console-queries.ts';
import { getBootConsoleOrThrow, searchConsoleLines } from '../../console/boot-console-reading.ts';
import { apiRoute, queryObject } from '../handler.ts';

export const hostConsolesRoute = apiRoute<{ id: string }>('viewer', async ({ url, params }) => {
  const { q, limit } = hostConsolesQuery.parse(queryObject(url));
  await getHostOrThrow(params.id);
  return { boots: await listRecordedBoots(params.id, limit), matches: q ? await searchConsoleLines(params.id, q, limit) : [] };
});

export const bootConsoleRoute = apiRoute<{ id: string }>('viewer', async ({ url, params }) => {
  const { download } = bootConsoleQuery.parse(queryObject(url));
  const boot = await getBootConsoleOrThrow(params.id);
  const name = `${boot.hostname ?? 'host'}-${boot.startedAt.toISOString().replace(/[:.]/g, '-')}.console.txt`;
  return new Response(boot.text, {
    headers: { 'content-type': 'text/plain; charset=utf-8', ...(download === '1' ? { 'content-disposition': `attachment; filename="${name}"` } : {}) },
  });
});
