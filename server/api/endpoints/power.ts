import { apiRoute, readJson } from '../handler.ts';
import { powerHost, powerHosts } from '../../power/host-power.ts';
import { bulkPowerInput, powerActionInput } from '../../power/schema.ts';

export const hostPowerRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => powerHost(actor, params.id, powerActionInput.parse(await readJson(req)).action));
export const bulkPowerRoute = apiRoute('operator', async ({ req, actor }) => {
  const input = bulkPowerInput.parse(await readJson(req));
  return powerHosts(actor, input.hostIds, input.action);
});
