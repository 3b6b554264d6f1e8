// Fresh, migrated databases for tests. scripts/with-test-db.sh starts one embedded PostgreSQL
// for a whole test run and exports FLEETBOOT_TEST_DATABASE_URL (unix-socket form, so processes
// inside network namespaces reach it too); each test file gets its own database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from './migrate.ts';

export interface TestDatabase {
  /** Connection URL of the new database (same transport as the admin URL). */
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.FLEETBOOT_TEST_DATABASE_URL;
  if (!url) throw new Error('FLEETBOOT_TEST_DATABASE_URL is not set: run tests through scripts/with-test-db.sh (npm test does)');
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  await migrate(url);
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
