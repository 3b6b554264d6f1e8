// A host: registered by hostname (MAC optional until the hardware arrives), its address on a
// network, its role, its BMC, and what it boots next.
import { z } from 'zod';
import { hostStates } from '../../lib/host-states.ts';
import { hostname, ipv4, ipv6, mac, optionalNullable, uuid } from '../validation/fields.ts';

export const bootOverrides = ['rescue', 'memtest', 'localdisk', 'image'] as const;

const hostFields = {
  hostname,
  mac: optionalNullable(mac),
  ip: optionalNullable(ipv4),
  /** Reserved IPv6 address (DHCPv6), inside the network's IPv6 prefix. */
  ipv6: optionalNullable(ipv6),
  networkId: optionalNullable(uuid),
  roleId: optionalNullable(uuid),
  bmcAddress: optionalNullable(z.string().trim().max(253)),
  bmcUser: optionalNullable(z.string().max(64)),
  /** Write-only: stored encrypted, never returned. */
  bmcPassword: optionalNullable(z.string().max(128)),
  serial: optionalNullable(z.string().trim().max(128)),
  assetTag: optionalNullable(z.string().trim().max(128)),
  spare: z.boolean().optional(),
  bootEnabled: z.boolean().optional(),
  bootOverride: optionalNullable(z.enum(bootOverrides)),
  imageOverrideId: optionalNullable(uuid),
  notes: z.string().max(4000).optional(),
};

type OverrideShape = { bootOverride?: string | null; imageOverrideId?: string | null };
function checkOverride(h: OverrideShape, ctx: z.RefinementCtx): void {
  if (h.bootOverride === 'image' && !h.imageOverrideId) ctx.addIssue({ code: 'custom', path: ['imageOverrideId'], message: 'name the image to boot once' });
}

export const hostCreate = z.object(hostFields).strict().superRefine(checkOverride);
// A change is checked against the host as it will be (updateHost): a PATCH may name only one
// of bootOverride and imageOverrideId.
export const hostUpdate = z.object(hostFields).partial().strict();
export type HostCreate = z.infer<typeof hostCreate>;
export type HostUpdate = z.infer<typeof hostUpdate>;

// In a query string booleans are the words true and false; a JSON body (a bulk action's filter)
// may send them as booleans.
const boolParam = z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['true', 'false']).transform((v) => v === 'true'));

/**
 * Which hosts: the one filter grammar of GET /hosts, the hosts page and a bulk action's filter.
 * role and network name the record (`?role=web`); roleId and networkId take its id.
 */
export const hostFilter = z.object({
  q: z.string().trim().max(100).optional(),
  roleId: uuid.optional(),
  role: z.string().trim().min(1).max(64).optional(),
  networkId: uuid.optional(),
  network: z.string().trim().min(1).max(64).optional(),
  state: z.enum(hostStates).optional(),
  spare: boolParam.optional(),
  /** false: hosts waiting for hardware (no MAC yet). */
  hasMac: boolParam.optional(),
});
export type HostFilter = z.infer<typeof hostFilter>;
export const hostFilterKeys = Object.keys(hostFilter.shape) as Array<keyof HostFilter>;

export const hostSorts = ['hostname', 'state', 'ip', 'lastSeenAt', 'createdAt'] as const;
export const hostListQuery = hostFilter.extend({
  sort: z.enum(hostSorts).default('hostname'),
});
export type HostListQuery = z.infer<typeof hostListQuery>;
