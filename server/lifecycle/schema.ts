// Image lifecycle inputs (stage, promote, rollout policy), shared by the API and OpenAPI.
import { z } from 'zod';
import { uuid } from '../validation/fields.ts';

export const stageInput = z
  .object({
    /** a spare to use; else an idle spare of the image's role, else any idle spare */
    hostId: uuid.optional(),
    /** how long the spare has to come up and pass the health check */
    timeoutSeconds: z.number().int().min(10).max(24 * 3600).default(900),
  })
  .strict();

export const rolloutPolicyInput = z
  .object({
    /** defaults: the role's rolloutBatchSize and rolloutMaxConcurrent */
    batchSize: z.number().int().min(1).max(10_000).optional(),
    maxConcurrentBoots: z.number().int().min(1).max(10_000).optional(),
    pauseSeconds: z.number().int().min(0).max(24 * 3600).default(0),
    /** the rollout stops (failed) once this many hosts failed */
    maxFailures: z.number().int().min(1).max(10_000).default(1),
    /** a host that isn't up this long after its reboot has failed */
    hostTimeoutSeconds: z.number().int().min(10).max(24 * 3600).default(900),
  })
  .strict();

export const promoteInput = z
  .object({
    /** false: make the image active without rebooting anything */
    rollout: z.union([rolloutPolicyInput, z.literal(false)]).default({ pauseSeconds: 0, maxFailures: 1, hostTimeoutSeconds: 900 }),
  })
  .strict();

export const rollbackInput = z.object({ rollout: z.union([rolloutPolicyInput, z.literal(false)]).optional() }).strict();

export const rolloutListQuery = z.object({ roleId: uuid.optional() });

export type StageInput = z.infer<typeof stageInput>;
export type RolloutPolicyInput = z.infer<typeof rolloutPolicyInput>;
