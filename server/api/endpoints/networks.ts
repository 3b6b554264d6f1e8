import { apiRoute, queryObject, readJson } from '../handler.ts';
import { pageQuery } from '../../listing/pagination.ts';
import { networkCreate, networkListQuery, networkUpdate } from '../../networks/schema.ts';
import { createNetwork, deleteNetwork, getNetworkOrThrow, listNetworks, updateNetwork } from '../../networks/queries.ts';

export const listNetworksRoute = apiRoute('viewer', async ({ url }) => {
  const q = queryObject(url);
  return listNetworks({ ...pageQuery.parse(q), ...networkListQuery.parse(q) });
});
export const createNetworkRoute = apiRoute('operator', async ({ req, actor }) => createNetwork(actor, networkCreate.parse(await readJson(req))), { status: 201 });
export const getNetworkRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getNetworkOrThrow(params.id));
export const updateNetworkRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => updateNetwork(actor, params.id, networkUpdate.parse(await readJson(req))));
export const deleteNetworkRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => deleteNetwork(actor, params.id));
