import { apiRoute, queryObject, readJson } from '../handler.ts';
import { pageQuery } from '../../listing/pagination.ts';
import { roleCreate, roleListQuery, roleUpdate } from '../../roles/schema.ts';
import { createRole, deleteRole, getRoleOrThrow, listRoles, updateRole } from '../../roles/queries.ts';

export const listRolesRoute = apiRoute('viewer', async ({ url }) => {
  const q = queryObject(url);
  return listRoles({ ...pageQuery.parse(q), ...roleListQuery.parse(q) });
});
export const createRoleRoute = apiRoute('operator', async ({ req, actor }) => createRole(actor, roleCreate.parse(await readJson(req))), { status: 201 });
export const getRoleRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getRoleOrThrow(params.id));
export const updateRoleRoute = apiRoute<{ id: string }>('operator', async ({ req, actor, params }) => updateRole(actor, params.id, roleUpdate.parse(await readJson(req))));
export const deleteRoleRoute = apiRoute<{ id: string }>('operator', async ({ actor, params }) => deleteRole(actor, params.id));
