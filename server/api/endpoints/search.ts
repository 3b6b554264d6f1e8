// Find anything: the global search (GET /search) and each user's saved hosts filters.
import { apiRoute, knownQuery, readJson } from '../handler.ts';
import { globalSearch } from '../../search/global-search.ts';
import { globalSearchQuery } from '../../search/schema.ts';
import { deleteSavedFilter, listSavedFilters, saveFilter } from '../../hosts/saved-filters.ts';
import { savedFilterCreate } from '../../hosts/saved-filter-schema.ts';

export const globalSearchRoute = apiRoute('viewer', async ({ url }) => globalSearch(globalSearchQuery.parse(knownQuery(url, Object.keys(globalSearchQuery.shape)))));
export const listSavedFiltersRoute = apiRoute('viewer', async ({ actor }) => listSavedFilters(actor.userId));
/** Any signed-in user keeps their own filters: saving one changes nothing of the fleet. */
export const saveFilterRoute = apiRoute('viewer', async ({ req, actor }) => saveFilter(actor, savedFilterCreate.parse(await readJson(req))), { status: 201 });
export const deleteSavedFilterRoute = apiRoute<{ id: string }>('viewer', async ({ actor, params }) => deleteSavedFilter(actor, params.id));
