import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterFromPatroni } from '../../lib/database-cluster.ts';
import { databaseClusterMetrics } from './database-cluster-metrics.ts';

test('metrics: primary, timeline, one line per member, lag only where known', () => {
  const text = databaseClusterMetrics(clusterFromPatroni({ members: [
    { name: 'pg2', role: 'leader', state: 'running', timeline: 2 },
    { name: 'pg1', role: 'replica', state: 'stopped', lag: 'unknown' },
    { name: 'pg3', role: 'sync_standby', state: 'running', timeline: 2, lag: 104 },
  ] }, new Date()));
  assert.match(text, /^fleetboot_database_primary_up 1$/m);
  assert.match(text, /^fleetboot_database_timeline 2$/m);
  assert.match(text, /^fleetboot_database_member\{member="pg1",role="replica",state="stopped"\} 1$/m);
  assert.match(text, /^fleetboot_database_replication_lag_bytes\{member="pg3"\} 104$/m);
  assert.doesNotMatch(text, /lag_bytes\{member="pg1"\}/, 'an unknown lag is left out, not written as 0');
});

test('metrics while failing over or unreadable: no primary, no timeline line', () => {
  const text = databaseClusterMetrics({ source: 'patroni', readAt: '', primary: null, timeline: null, members: [], failingOver: false, error: 'no Patroni REST API answered' });
  assert.match(text, /^fleetboot_database_state_readable\{source="patroni"\} 0$/m);
  assert.match(text, /^fleetboot_database_primary_up 0$/m);
  assert.doesNotMatch(text, /fleetboot_database_timeline/);
});
