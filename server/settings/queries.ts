// Console-wide settings admins change (one row): API tokens' default and longest lifetime.
import type { ConsoleSettings } from '@prisma/client';
import type { Actor } from '../auth/actor.ts';
import { writeAudit } from '../audit/audit.ts';
import { db } from '../db/client.ts';
import { invalid } from '../errors.ts';
import type { ConsoleSettingsUpdate } from './schema.ts';

export type PublicSettings = Pick<ConsoleSettings, 'tokenDefaultDays' | 'tokenMaxDays'>;

export async function getConsoleSettings(): Promise<PublicSettings> {
  // The migration inserts the row; upsert keeps a database restored without it working.
  const row = await db().consoleSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  return { tokenDefaultDays: row.tokenDefaultDays, tokenMaxDays: row.tokenMaxDays };
}

export async function updateConsoleSettings(actor: Actor, input: ConsoleSettingsUpdate): Promise<PublicSettings> {
  return db().$transaction(async (tx) => {
    const before = await tx.consoleSettings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
    const next = { tokenDefaultDays: input.tokenDefaultDays ?? before.tokenDefaultDays, tokenMaxDays: input.tokenMaxDays ?? before.tokenMaxDays };
    if (next.tokenDefaultDays > next.tokenMaxDays) throw invalid(input.tokenDefaultDays ? 'tokenDefaultDays' : 'tokenMaxDays', `the default lifetime (${next.tokenDefaultDays} days) can't be longer than the longest (${next.tokenMaxDays} days)`);
    const after = await tx.consoleSettings.update({ where: { id: 1 }, data: next });
    await writeAudit(tx, actor, 'update', 'settings', '1', before, after);
    return { tokenDefaultDays: after.tokenDefaultDays, tokenMaxDays: after.tokenMaxDays };
  });
}
