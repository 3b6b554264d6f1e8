// Patroni's answers below are GET /cluster from Debian 12's Patroni 3.0.2 in the lab
// (server/testing/patroni-cluster.ts), captured before and during a kill -9 failover.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterFromPatroni, clusterFromPostgres } from './database-cluster.ts';

const readAt = new Date('2026-12-07T14:40:00Z');
const steady = {"members": [{"name": "pg1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:40645/patroni", "host": "127.0.0.1", "port": 41007, "timeline": 1}, {"name": "pg2", "role": "sync_standby", "state": "running", "api_url": "http://127.0.0.1:44201/patroni", "host": "127.0.0.1", "port": 43929, "timeline": 1, "lag": 0}, {"name": "pg3", "role": "replica", "state": "running", "api_url": "http://127.0.0.1:40603/patroni", "host": "127.0.0.1", "port": 34673, "timeline": 1, "lag": 0}]};
// 7 s after kill -9 of pg1's postmaster: pg2 promoted onto timeline 2, pg1 stopped.
const promoted = {"members": [{"name": "pg1", "role": "replica", "state": "stopped", "api_url": "http://127.0.0.1:40645/patroni", "host": "127.0.0.1", "port": 41007, "lag": "unknown"}, {"name": "pg2", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:44201/patroni", "host": "127.0.0.1", "port": 43929, "timeline": 2}, {"name": "pg3", "role": "replica", "state": "running", "api_url": "http://127.0.0.1:40603/patroni", "host": "127.0.0.1", "port": 34673, "timeline": 1, "lag": 104}]};

test('Patroni steady state: leader is the primary, sync_standby the synchronous replica, lag in bytes', () => {
  const c = clusterFromPatroni(steady, readAt);
  assert.equal(c.primary, 'pg1');
  assert.equal(c.timeline, 1);
  assert.equal(c.failingOver, false);
  assert.deepEqual(c.members.map((m) => [m.name, m.role, m.lagBytes]), [['pg1', 'primary', null], ['pg2', 'sync_replica', 0], ['pg3', 'replica', 0]]);
});

test('after a promotion: the new leader and its timeline; a stopped member\'s "unknown" lag stays unknown', () => {
  const c = clusterFromPatroni(promoted, readAt);
  assert.equal(c.primary, 'pg2');
  assert.equal(c.timeline, 2);
  const pg1 = c.members.find((m) => m.name === 'pg1')!;
  assert.deepEqual([pg1.state, pg1.lagBytes, pg1.timeline], ['stopped', null, null]);
  assert.equal(c.members.find((m) => m.name === 'pg3')!.lagBytes, 104);
});

test('no running leader: failing over, no primary, no timeline', () => {
  const c = clusterFromPatroni({ members: [{ name: 'pg2', role: 'replica', state: 'running', timeline: 1, lag: 0 }, { name: 'pg3', role: 'replica', state: 'running', timeline: 1, lag: 0 }] }, readAt);
  assert.equal(c.failingOver, true);
  assert.equal(c.primary, null);
  assert.equal(c.timeline, null);
});

test('an answer without a members list is refused, not read as an empty cluster', () => {
  assert.throws(() => clusterFromPatroni({ state: 'running' }, readAt), /no members list/);
});

test('from PostgreSQL: the server and its WAL senders; a sender row without pg_monitor has unknown state and lag', () => {
  const c = clusterFromPostgres({ recovery: false, timeline: 3, address: '10.0.0.11', port: 5432 }, [
    { name: 'db2', address: '10.0.0.12', state: 'streaming', syncState: 'sync', lagBytes: '2048' },
    { name: null, address: null, state: null, syncState: null, lagBytes: null },
  ], readAt);
  assert.equal(c.primary, '10.0.0.11:5432');
  assert.equal(c.timeline, 3);
  assert.deepEqual(c.members.map((m) => [m.role, m.state, m.lagBytes]), [
    ['primary', 'running', null], ['sync_replica', 'streaming', 2048], ['unknown', 'unknown (needs pg_monitor)', null],
  ]);
});

test('from PostgreSQL, connected to a server in recovery: no primary is named', () => {
  const c = clusterFromPostgres({ recovery: true, timeline: 2, address: null, port: null }, [], readAt);
  assert.equal(c.primary, null);
  assert.equal(c.members[0]!.role, 'replica');
});
