// Applies prisma/migrations/<stamp>_<name>/migration.sql in order (DESIGN.md "Decisions taken":
// Prisma's native schema engine can't run offline, so the SQL made by `prisma migrate diff`
// is applied here). Each file runs in its own transaction and is recorded with its sha256;
// an applied file that changed afterwards stops the start. A session-level advisory lock
// keeps two processes (web and bootd starting together) from migrating at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
const advisoryLockKey = 74_115_001;

/** Tables the data model needs: checked after migrating, so an empty run can't pass. */
export const requiredTables = [
  'Network', 'Role', 'Artifact', 'Image', 'Host', 'DiscoveredMachine', 'BootSession', 'BootEvent',
  'Lease', 'User', 'UserSession', 'ApiToken', 'AuditLog', 'Change',
] as const;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = migrationsDir): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationChangedError extends Error {
  constructor(readonly migration: string) {
    super(`migration ${migration} was changed after it was applied: restore the original file (never edit an applied migration; add a new one)`);
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(databaseUrl: string, opts: { dir?: string; log?: (l: string) => void } = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => undefined);
  const files = readMigrations(opts.dir);
  if (files.length === 0) throw new Error(`no migrations found in ${opts.dir ?? migrationsDir}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [advisoryLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_fleetboot_migrations" (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const rows = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "_fleetboot_migrations"');
    const done = new Map(rows.rows.map((r) => [r.name, r.checksum]));
    const applied: string[] = [];
    for (const file of files) {
      const previous = done.get(file.name);
      if (previous !== undefined) {
        if (previous !== file.checksum) throw new MigrationChangedError(file.name);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query('INSERT INTO "_fleetboot_migrations" (name, checksum) VALUES ($1, $2)', [file.name, file.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file.name} failed: ${(err as Error).message}`);
      }
      applied.push(file.name);
      log(`applied migration ${file.name}`);
    }
    const present = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)`,
      [requiredTables],
    );
    const have = new Set(present.rows.map((r) => r.table_name));
    const missing = requiredTables.filter((t) => !have.has(t));
    if (missing.length > 0) throw new Error(`after migrating, tables are missing: ${missing.join(', ')}`);
    return { applied, alreadyApplied: files.length - applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [advisoryLockKey]).catch(() => undefined);
    await client.end();
  }
}
