import { apiRoute, knownQuery, queryObject, readJson, readText } from '../handler.ts';
import { pageQuery } from '../../listing/pagination.ts';
import { hostCreate, hostListQuery, hostUpdate } from '../../hosts/schema.ts';
import { createHost, deleteHost, getHostOrThrow, listHosts, updateHost } from '../../hosts/queries.ts';
import { importHosts, readImportRows } from '../../hosts/import.ts';
import { listEvents } from '../../events/queries.ts';
import { eventListQuery } from '../../events/schema.ts';
import { requireMediaType } from '../media-type.ts';
import { json } from '../respond.ts';
import { bulkHostAction } from '../../hosts/bulk-schema.ts';
import { runBulkHostAction } from '../../hosts/bulk.ts';

const maxImportBytes = 20 * 1024 * 1024;

const listHostsParams = [...Object.keys(pageQuery.shape), ...Object.keys(hostListQuery.shape)];

export const listHostsRoute = apiRoute('viewer', async ({ url }) => {
  const q = knownQuery(url, listHostsParams);
  return listHosts({ ...pageQuery.parse(q), ...hostListQuery.parse(q) });
});
export const createHostRoute = apiRoute('operator', async ({ req, actor }) => createHost(actor, hostCreate.parse(await readJson(req))), { status: 201 });
export const getHostRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getHostOrThrow(params.id));
export const updateHostRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => updateHost(actor, params.id, hostUpdate.parse(await readJson(req))));
export const deleteHostRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => deleteHost(actor, params.id));
export const hostEventsRoute = apiRoute<{ id: string }>('viewer', async ({ url, params }) => {
  await getHostOrThrow(params.id);
  return listEvents(eventListQuery.parse({ ...queryObject(url), hostId: params.id }));
});

/** POST text/csv or application/json; all or nothing, with a report naming each bad row. */
export const importHostsRoute = apiRoute('operator', async ({ req, actor }) => {
  const type = requireMediaType(req, ['text/csv', 'application/json']);
  return importHosts(actor, readImportRows(await readText(req, maxImportBytes), type));
}, { status: 201 });

/** One action on many hosts (ids or a filter); a queued power action answers 202 and where to follow it. */
export const bulkHostsRoute = apiRoute('operator', async ({ req, actor }) => {
  const result = await runBulkHostAction(actor, bulkHostAction.parse(await readJson(req)));
  if ('state' in result) return json(result, 202, { location: `/api/v1/power/actions/${result.id}` });
  return result;
});
