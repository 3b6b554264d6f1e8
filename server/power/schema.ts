// Power actions through the API (POST /hosts/{id}/power, POST /power for many hosts, the bulk
// power queue under /power/actions).
import { z } from 'zod';
import { uuid } from '../validation/fields.ts';

/** pxe: next boot from the network (once); pxe-boot: that, then cycle (or on when off). */
export const powerActions = ['status', 'on', 'off', 'cycle', 'reset', 'pxe', 'pxe-boot'] as const;
export type PowerAction = (typeof powerActions)[number];
/** Actions that start a boot: in a bulk action these count against the boot-storm limit. */
export const bootingActions: readonly PowerAction[] = ['on', 'cycle', 'reset', 'pxe-boot'];

export function isBootingAction(action: string): boolean {
  return (bootingActions as readonly string[]).includes(action);
}

export const powerActionInput = z.object({ action: z.enum(powerActions) }).strict();
export const bulkPowerInput = z
  .object({
    /** status answers at once (200); every other action is queued (202) and sent by the worker */
    action: z.enum(powerActions),
    hostIds: z.array(uuid).min(1).max(1000),
    /** a booting host that doesn't report up this long after its command has failed (queued actions) */
    hostTimeoutSeconds: z.number().int().min(10).max(24 * 3600).default(900),
  })
  .strict();

export const bulkPowerListQuery = z.object({
  /** only actions still sending or watching hosts */
  live: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export type BulkPowerInput = z.infer<typeof bulkPowerInput>;
