import { apiRoute, queryObject, readJson } from '../handler.ts';
import { claimInput, discoveredListQuery } from '../../discovery/schema.ts';
import { claimDiscovered, listDiscovered } from '../../discovery/queries.ts';

export const listDiscoveredRoute = apiRoute('viewer', async ({ url }) => listDiscovered(discoveredListQuery.parse(queryObject(url))));
export const claimDiscoveredRoute = apiRoute<{ mac: string }>('operator', async ({ req, actor, params }) =>
  claimDiscovered(actor, decodeURIComponent(params.mac), claimInput.parse(await readJson(req))));
