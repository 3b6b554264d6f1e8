// /api/v1/boot-servers: the registry of named bootd (list with health for viewers; create and
// revoke for admins: the credential is in the create response only).
import { apiRoute, readJson } from '../handler.ts';
import { bootServerCreate } from '../../boot-servers/schema.ts';
import { createBootServer, getBootServerOrThrow, listBootServers, revokeBootServer } from '../../boot-servers/queries.ts';

export const listBootServersRoute = apiRoute('viewer', async () => ({ items: await listBootServers() }));
export const createBootServerRoute = apiRoute('admin', async ({ req, actor }) => createBootServer(actor, bootServerCreate.parse(await readJson(req))), { status: 201 });
export const getBootServerRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => getBootServerOrThrow(params.id));
export const revokeBootServerRoute = apiRoute<{ id: string }>('admin', async ({ actor, params }) => revokeBootServer(actor, params.id));
