// Power through the API: one host at once (POST /hosts/{id}/power), many hosts through the
// bulk power queue (POST /power → 202 and a bulk action to follow; status answers at once).
import { apiRoute, queryObject, readJson } from '../handler.ts';
import { json } from '../respond.ts';
import { powerHost, powerStatusOfHosts } from '../../power/host-power.ts';
import { cancelBulkPower, getBulkPowerOrThrow, listBulkPower, queueBulkPower } from '../../power/bulk-queue.ts';
import { bulkPowerInput, bulkPowerListQuery, powerActionInput } from '../../power/schema.ts';

export const hostPowerRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => powerHost(actor, params.id, powerActionInput.parse(await readJson(req)).action));
export const bulkPowerRoute = apiRoute('operator', async ({ req, actor }) => {
  const input = bulkPowerInput.parse(await readJson(req));
  if (input.action === 'status') return powerStatusOfHosts(actor, input.hostIds);
  const queued = await queueBulkPower(actor, input);
  return json(queued, 202, { location: `/api/v1/power/actions/${queued.id}` });
});
export const listBulkPowerRoute = apiRoute('viewer', async ({ url }) => listBulkPower(bulkPowerListQuery.parse(queryObject(url))));
export const getBulkPowerRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getBulkPowerOrThrow(params.id));
export const cancelBulkPowerRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => cancelBulkPower(actor, params.id));
