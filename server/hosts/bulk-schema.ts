// A bulk action on hosts (POST /hosts/bulk): which hosts (ids, or the hosts list's filter), what
// to do with them (change fields, delete, a power action), and whether to only say what would
// change (dryRun).
import { z } from 'zod';
import { uuid } from '../validation/fields.ts';
import { powerActions } from '../power/schema.ts';
import { bootOverrides, hostFilter } from './schema.ts';

/** Hosts one bulk action may touch: a fleet's worth, bounded so one request stays one transaction of seconds. */
export const maxBulkHosts = 20_000;

/** The fields a bulk change may set: those that mean the same for every host (no names, no addresses). */
export const bulkHostSet = z
  .object({
    roleId: uuid.nullable().optional(),
    networkId: uuid.nullable().optional(),
    spare: z.boolean().optional(),
    /** network boot on or off */
    bootEnabled: z.boolean().optional(),
    /** the one-shot override of the next boot; null clears it */
    bootOverride: z.enum(bootOverrides).nullable().optional(),
    imageOverrideId: uuid.nullable().optional(),
  })
  .strict()
  .refine((s) => Object.keys(s).length > 0, { message: 'name at least one field to set' });
export type BulkHostSet = z.infer<typeof bulkHostSet>;

const bulkHostActionBase = z.object({
  /** the hosts by id, or */
  hostIds: z.array(uuid).min(1).max(maxBulkHosts).optional(),
  /** every host the filter matches (GET /hosts's filter; {} is every host) */
  filter: hostFilter.strict().optional(),
  /** the number of hosts the operator confirmed: if the selection now has another count, nothing is done (409) */
  expectedCount: z.number().int().min(0).optional(),
  /** answer what would change, host by host, and change nothing */
  dryRun: z.boolean().default(false),
});

export const bulkHostAction = z
  .discriminatedUnion('action', [
    bulkHostActionBase.extend({ action: z.literal('update'), set: bulkHostSet }).strict(),
    bulkHostActionBase.extend({ action: z.literal('delete') }).strict(),
    bulkHostActionBase
      .extend({
        action: z.literal('power'),
        power: z.enum(powerActions.filter((a) => a !== 'status') as [Exclude<(typeof powerActions)[number], 'status'>, ...Array<Exclude<(typeof powerActions)[number], 'status'>>]),
        hostTimeoutSeconds: z.number().int().min(10).max(24 * 3600).default(900),
      })
      .strict(),
  ])
  .superRefine((a, ctx) => {
    if ((a.hostIds === undefined) === (a.filter === undefined)) ctx.addIssue({ code: 'custom', path: ['hostIds'], message: 'name the hosts: hostIds or filter, one of the two' });
  });
export type BulkHostAction = z.infer<typeof bulkHostAction>;
