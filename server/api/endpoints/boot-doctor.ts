// The boot doctor over HTTP (server/boot-doctor/): GET /api/v1/hosts/{id}/doctor for one host,
// GET /api/v1/doctor for the fleet's hosts that can't boot, grouped by cause.
import { apiRoute } from '../handler.ts';
import { diagnoseFleet, diagnoseHostById } from '../../boot-doctor/queries.ts';

export const hostDoctorRoute = apiRoute<{ id: string }>('viewer', async ({ params }) => diagnoseHostById(params.id));

export const fleetDoctorRoute = apiRoute('viewer', async () => diagnoseFleet());
