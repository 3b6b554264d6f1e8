// GET /api/v1/hosts/{id}/logs?lines=N: the host's last syslog lines from bootd (server/logs/).
// `lines` is null when bootd can't be asked (not running, or syslog not enabled).
import { apiRoute, queryObject } from '../handler.ts';
import { getHostOrThrow } from '../../hosts/queries.ts';
import { hostLogQuery, readHostLogTail } from '../../logs/queries.ts';

export const hostLogsRoute = apiRoute<{ id: string }>('viewer', async ({ url, params }) => {
  const { lines } = hostLogQuery.parse(queryObject(url));
  await getHostOrThrow(params.id);
  return { hostId: params.id, lines: await readHostLogTail(params.id, lines) };
});
