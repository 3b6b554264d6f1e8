// Discovered machines (unknown MACs that booted into discovery) and their claim by an operator:
// validation shared by the API and the OpenAPI document.
import { z } from 'zod';

export const discoveredListQuery = z.object({
  /** unclaimed (default): waiting for an operator; claimed; all. */
  status: z.enum(['unclaimed', 'claimed', 'all']).default('unclaimed'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DiscoveredListQuery = z.infer<typeof discoveredListQuery>;

export const claimInput = z.strictObject({
  hostId: z.uuid({ message: 'expected the id of a registered host' }),
});
export type ClaimInput = z.infer<typeof claimInput>;
