// The gate's answers while the database is away, with the replication state it is given:
// "failing over" in words instead of only the driver's error.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { clusterFromPatroni } from '../../lib/database-cluster.ts';
import type { DatabaseStatus } from '../db/availability.ts';
import { answerFromDatabaseGate, databaseAwayPage } from './database-gate.ts';

const down: DatabaseStatus = { state: 'down', since: '2026-12-07T14:40:00.000Z', reason: 'connect ECONNREFUSED 127.0.0.1:5432', checkedAt: '2026-12-07T14:40:01.000Z' };
const noLeader = clusterFromPatroni({ members: [{ name: 'pg2', role: 'replica', state: 'running', timeline: 1, lag: 0 }, { name: 'pg1', role: 'replica', state: 'stopped', lag: 'unknown' }] }, new Date());

function ask(url: string, cluster = noLeader): { status: number; body: string } {
  const seen = { status: 0, body: '' };
  const res = {
    writeHead(status: number) { seen.status = status; return res; },
    end(body: string) { seen.body = body; },
  } as unknown as http.ServerResponse;
  assert.equal(answerFromDatabaseGate({ url } as http.IncomingMessage, res, down, cluster), true);
  return seen;
}

test('/healthz while failing over: 503, the members, and the error says failing over', () => {
  const { status, body } = ask('/healthz');
  const json = JSON.parse(body) as { ok: boolean; error: string; cluster: { failingOver: boolean; members: unknown[] } };
  assert.equal(status, 503);
  assert.equal(json.cluster.failingOver, true);
  assert.equal(json.cluster.members.length, 2);
  assert.match(json.error, /^database failing over: no primary yet \(pg2 replica running, pg1 replica stopped\)$/);
});

test('an API call while failing over: 503 database_unavailable with the failover in words', () => {
  const json = JSON.parse(ask('/api/v1/hosts').body) as { code: string; failover: string };
  assert.equal(json.code, 'database_unavailable');
  assert.match(json.failover, /failing over/);
});

test('the page while failing over says so; without replication state it says the database is unreachable', () => {
  assert.match(databaseAwayPage(down, noLeader), /<h1>The database is failing over<\/h1>/);
  assert.match(databaseAwayPage(down), /<h1>The console can't reach its database<\/h1>/);
  assert.doesNotMatch(databaseAwayPage(down), /database-failover/);
});
