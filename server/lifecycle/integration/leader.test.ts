// The worker lead on a real PostgreSQL: one of several contenders leads; it hands over when it
// stops, and when its session is ended under it (a database restart, a network cut, or the
// server's idle_session_timeout ending a frozen leader's session) it stops leading at once and
// another takes over.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../db/testing.ts';
import { createWorkerLeadership, leaderApplicationName, type WorkerLeadership } from '../leader.ts';
import { until } from '../../testing/until.ts';

let tdb: TestDatabase;
const made: WorkerLeadership[] = [];
const quiet = () => undefined;

before(async () => { tdb = await createTestDatabase('leader'); });
after(async () => {
  for (const l of made) await l.stop();
  await tdb?.drop();
});

function contender(opts: { heartbeatMs?: number; idleSessionTimeoutMs?: number } = {}): WorkerLeadership {
  const l = createWorkerLeadership({ databaseUrl: tdb.url, log: quiet, ...opts });
  made.push(l);
  return l;
}

test('one of three leads; when it stops, another takes the lead', async () => {
  const [a, b, c] = [contender(), contender(), contender()];
  const first = await Promise.all([a.ensureLeading(), b.ensureLeading(), c.ensureLeading()]);
  assert.equal(first.filter(Boolean).length, 1);
  const leader = [a, b, c][first.indexOf(true)]!;
  await leader.stop();
  const rest = [a, b, c].filter((x) => x !== leader);
  const second = await Promise.all(rest.map((x) => x.ensureLeading()));
  assert.equal(second.filter(Boolean).length, 1);
  for (const x of rest) await x.stop();
});

test('the leader\'s session ended under it (pg_terminate_backend): it stops leading, the other takes over', async () => {
  const a = contender({ heartbeatMs: 100 });
  const b = contender();
  assert.equal(await a.ensureLeading(), true);
  assert.equal(await b.ensureLeading(), false);
  const admin = new pg.Client({ connectionString: tdb.url });
  await admin.connect();
  try {
    // Both contenders share the application name (same pid): end the one holding the lock.
    await admin.query(`SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = $1`, [leaderApplicationName()]);
  } finally {
    await admin.end();
  }
  await until('the old leader to notice', () => !a.isLeading());
  await until('the other to take the lead', () => b.ensureLeading());
  assert.equal(await a.ensureLeading(), false, 'the old leader competes again, and loses');
  await a.stop();
  await b.stop();
});

test('a frozen leader (no heartbeats) loses its session to idle_session_timeout; the other takes over', async () => {
  const a = contender({ heartbeatMs: 60_000, idleSessionTimeoutMs: 500 });
  const b = contender();
  assert.equal(await a.ensureLeading(), true);
  await until('the server to end the silent session', () => b.ensureLeading(), 5000);
  assert.equal(a.isLeading(), false);
  await a.stop();
  await b.stop();
});
