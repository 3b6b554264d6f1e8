// Power actions through the API (POST /hosts/{id}/power, POST /power for many hosts).
import { z } from 'zod';
import { uuid } from '../validation/fields.ts';

/** pxe: next boot from the network (once); pxe-boot: that, then cycle (or on when off). */
export const powerActions = ['status', 'on', 'off', 'cycle', 'reset', 'pxe', 'pxe-boot'] as const;
export type PowerAction = (typeof powerActions)[number];
/** Actions that start a boot: a bulk run of these counts against the max concurrent boots. */
export const bootingActions: readonly PowerAction[] = ['on', 'cycle', 'reset', 'pxe-boot'];

export const powerActionInput = z.object({ action: z.enum(powerActions) }).strict();
export const bulkPowerInput = z.object({ action: z.enum(powerActions), hostIds: z.array(uuid).min(1).max(1000) }).strict();
