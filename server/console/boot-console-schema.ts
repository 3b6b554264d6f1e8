// Query parameters of the recorded boot consoles' API (GET /hosts/{id}/consoles, GET /boots/{id}/console).
import { z } from 'zod';

export const hostConsolesQuery = z
  .object({
    /** lines of the host's recorded consoles containing this text (case-insensitive) */
    q: z.string().trim().min(2).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const bootConsoleQuery = z
  .object({
    /** 1: answered as a file to save (Content-Disposition: attachment) */
    download: z.enum(['0', '1']).optional(),
  })
  .strict();
