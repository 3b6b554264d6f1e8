import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../testing.ts';
import { migrate, MigrationChangedError, readMigrations, requiredTables } from '../migrate.ts';

test('a fresh database gets every table of the data model, and a second run applies nothing', async () => {
  const db = await createTestDatabase('migrate');
  try {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    await client.end();
    const names = new Set(tables.rows.map((r) => r.table_name));
    for (const t of requiredTables) assert.ok(names.has(t), `table ${t} exists`);
    const again = await migrate(db.url);
    assert.deepEqual(again.applied, []);
    assert.equal(again.alreadyApplied, readMigrations().length);
  } finally {
    await db.drop();
  }
});

test('an applied migration that was edited stops the start', async () => {
  const db = await createTestDatabase('migrate_changed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mig-'));
  try {
    readMigrations().forEach((m, index) => {
      fs.mkdirSync(path.join(dir, m.name));
      fs.writeFileSync(path.join(dir, m.name, 'migration.sql'), m.sql + (index === 0 ? '\n-- edited\n' : ''));
    });
    await assert.rejects(migrate(db.url, { dir }), MigrationChangedError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
});

test('a write to a host appends to the change log in the same transaction', async () => {
  const db = await createTestDatabase('changelog');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Host" (id, hostname, "updatedAt") VALUES (gen_random_uuid(), 'web-01', now())`);
    const rows = await client.query<{ entity: string }>('SELECT entity FROM "Change" ORDER BY seq');
    assert.deepEqual(rows.rows.map((r) => r.entity), ['Host']);
  } finally {
    await client.end();
    await db.drop();
  }
});
