import { z } from 'zod';

const days = z.coerce.number().int('must be whole days').min(1, 'must be at least 1 day').max(3650, 'must be at most 3650 days (10 years)');

/** PATCH /settings (admins): API tokens' default and longest lifetime. */
export const consoleSettingsUpdate = z
  .object({ tokenDefaultDays: days.optional(), tokenMaxDays: days.optional() })
  .strict();
export type ConsoleSettingsUpdate = z.infer<typeof consoleSettingsUpdate>;
