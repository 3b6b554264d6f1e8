import { apiRoute, queryObject } from '../handler.ts';
import { listEvents } from '../../events/queries.ts';
import { eventListQuery } from '../../events/schema.ts';
import { auditListQuery, listAudit } from '../../audit/queries.ts';

export const listEventsRoute = apiRoute('viewer', async ({ url }) => listEvents(eventListQuery.parse(queryObject(url))));
export const listAuditRoute = apiRoute('viewer', async ({ url }) => listAudit(auditListQuery.parse(queryObject(url))));
