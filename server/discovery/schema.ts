// Discovered machines (unknown MACs that booted into discovery) and their claim by an operator:
// validation shared by the API and the OpenAPI document.
import { z } from 'zod';
import { hostname, optionalNullable, uuid } from '../validation/fields.ts';

export const discoveredListQuery = z.object({
  /** unclaimed (default): waiting for an operator; claimed; all. */
  status: z.enum(['unclaimed', 'claimed', 'all']).default('unclaimed'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DiscoveredListQuery = z.infer<typeof discoveredListQuery>;

/** Into a registered host (one waiting for hardware), or into a new host made in the same transaction. */
export const claimInput = z
  .strictObject({
    hostId: z.uuid({ message: 'expected the id of a registered host' }).optional(),
    newHost: z.strictObject({ hostname, roleId: optionalNullable(uuid), networkId: optionalNullable(uuid) }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.hostId && v.newHost) ctx.addIssue({ code: 'custom', path: ['newHost'], message: 'claim into a registered host (hostId) or a new host (newHost), not both' });
    if (!v.hostId && !v.newHost) ctx.addIssue({ code: 'custom', path: ['hostId'], message: 'name the host to claim into (hostId), or a new host (newHost)' });
  });
export type ClaimInput = z.infer<typeof claimInput>;
