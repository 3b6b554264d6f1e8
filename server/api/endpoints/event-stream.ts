// GET /api/v1/events/stream: boot events and host state changes as Server-Sent Events
// (server/events/live.ts). Resumes after Last-Event-ID (a reconnecting EventSource sends it) or
// ?after=<seq>; filters: hostId, roleId, type (comma-separated; `host-state` for the fleet view).
import { apiRoute, queryObject } from '../handler.ts';
import { eventHub } from '../../events/live.ts';
import { eventStreamQuery } from '../../events/schema.ts';

export const eventStreamRoute = apiRoute('viewer', async ({ req, url }) => {
  const q = eventStreamQuery.parse({ ...queryObject(url), ...(req.headers.get('last-event-id') ? { after: req.headers.get('last-event-id') } : {}) });
  const heartbeatMs = Number(process.env.FLEETBOOT_SSE_HEARTBEAT_MS) || undefined;
  const body = await eventHub().subscribe(
    { hostId: q.hostId, roleId: q.roleId, types: q.type?.split(',') },
    q.after !== undefined ? BigInt(q.after) : null,
    { heartbeatMs, signal: req.signal },
  );
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: no compression or proxy buffering may hold events back.
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    },
  });
});
