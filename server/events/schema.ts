import { z } from 'zod';
import { mac, uuid } from '../validation/fields.ts';

export const eventListQuery = z.object({
  hostId: uuid.optional(),
  mac: mac.optional(),
  source: z.enum(['dhcp', 'tftp', 'http', 'agent', 'syslog', 'bootd']).optional(),
  type: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Events with seq below this (newest first paging). */
  before: z.coerce.bigint().optional(),
});
export type EventListQuery = z.infer<typeof eventListQuery>;
