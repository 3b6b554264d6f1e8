// Boot servers (DESIGN.md "bootd on its own machine"): what an admin gives to make one.
import { z } from 'zod';
import { slug } from '../validation/fields.ts';

export const bootServerCreate = z
  .object({
    /** What bootd is started with (FLEETBOOT_BOOTD_NAME); never renamed. */
    name: slug,
    /** The site, rack or segment it serves, in the operator's words. */
    site: z.string().trim().min(1, 'is required').max(100),
  })
  .strict();
export type BootServerCreate = z.infer<typeof bootServerCreate>;

/** Prefix of boot server credentials (API tokens have fbt_): a leaked one is recognisable. */
export const bootServerCredentialPrefix = 'fbb_';
