import { z } from 'zod';
import { mac, uuid } from '../validation/fields.ts';

export const eventListQuery = z.object({
  hostId: uuid.optional(),
  mac: mac.optional(),
  source: z.enum(['dhcp', 'dhcp6', 'tftp', 'http', 'agent', 'syslog', 'bootd']).optional(),
  type: z.string().max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Events with seq below this (newest first paging). */
  before: z.coerce.bigint().optional(),
});
export type EventListQuery = z.infer<typeof eventListQuery>;

/** GET /api/v1/events/stream: the whole fleet, one host or one role; resume after a seq. */
export const eventStreamQuery = z.object({
  hostId: uuid.optional(),
  roleId: uuid.optional(),
  /** Comma-separated event types, e.g. `host-state` for the fleet view. */
  type: z.string().max(200).regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be event types separated by commas').optional(),
  /** Resume after this seq (what Last-Event-ID carries on a reconnect). */
  after: z.string().regex(/^\d{1,19}$/, 'must be an event seq').optional(),
});
export type EventStreamQuery = z.infer<typeof eventStreamQuery>;
