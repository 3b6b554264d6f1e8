import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metrics } from '../metrics.ts';
import type { Sightings, SightingsTable } from '../store/discovery.ts';
import { DiscoveryWriter } from './discovery-writer.ts';

const silentLog = { info() {}, warn() {}, error() {} };
const net = '00000000-0000-4000-8000-000000000001';

/** The batches written, as [macs, networkIds, ips, seenAtMs]. */
function fakeTable() {
  const calls: unknown[][] = [];
  let failing = false;
  const table: SightingsTable = {
    writeSightings: async (b: Sightings) => {
      if (failing) throw new Error('connection refused');
      calls.push([b.macs, b.networkIds, b.ips, b.seenAtMs]);
    },
  };
  return { table, calls, fail: (f: boolean) => { failing = f; } };
}

test('many packets of one MAC become one row in one statement, with the newest sighting and the address from the ACK', async () => {
  const { table, calls } = fakeTable();
  let now = 1_000;
  const w = new DiscoveryWriter({ table, log: silentLog, metrics: new Metrics(), flushIntervalMs: 60_000, now: () => now });
  w.noteUnknownMachine('52:54:00:00:00:0a', net, null);
  now = 2_000;
  w.noteUnknownMachine('52:54:00:00:00:0a', net, '10.66.0.100');
  now = 3_000;
  w.noteUnknownMachine('52:54:00:00:00:0a', net, null); // a later DISCOVER doesn't forget the address
  w.noteUnknownMachine('52:54:00:00:00:0b', net, null);
  await w.flush();
  assert.deepEqual(calls, [[['52:54:00:00:00:0a', '52:54:00:00:00:0b'], [net, net], ['10.66.0.100', null], [3_000, 3_000]]]);
  await w.close();
});

test('a failed write keeps its rows and retries them later, merged with newer sightings', async () => {
  const { table, calls, fail } = fakeTable();
  let now = 10_000;
  const metrics = new Metrics();
  const w = new DiscoveryWriter({ table, log: silentLog, metrics, flushIntervalMs: 60_000, now: () => now });
  w.noteUnknownMachine('52:54:00:00:00:0c', net, '10.66.0.101');
  fail(true);
  await w.flush();
  assert.equal(w.waiting(), 1);
  assert.equal(metrics.get('fleetboot_dhcp_discovered_write_failures_total'), 1);
  fail(false);
  w.noteUnknownMachine('52:54:00:00:00:0c', net, null);
  await w.flush();
  assert.equal(calls.length, 0, 'retried before its backoff');
  now += 60_000;
  await w.flush();
  assert.deepEqual(calls, [[['52:54:00:00:00:0c'], [net], ['10.66.0.101'], [10_000]]]);
  assert.equal(w.waiting(), 0);
  await w.close();
});

test('past maxPending, new MACs are counted as lost, not silently dropped', async () => {
  const { table } = fakeTable();
  const metrics = new Metrics();
  const w = new DiscoveryWriter({ table, log: silentLog, metrics, flushIntervalMs: 60_000, maxPending: 2 });
  for (const m of ['52:54:00:00:00:01', '52:54:00:00:00:02', '52:54:00:00:00:03']) w.noteUnknownMachine(m, net, null);
  assert.equal(w.waiting(), 2);
  assert.equal(metrics.get('fleetboot_dhcp_discovered_lost_total'), 1);
  await w.close();
});

test('a MAC written a moment ago is not written again until a minute has passed or its address changed', async () => {
  const { table, calls } = fakeTable();
  let now = 100_000;
  const w = new DiscoveryWriter({ table, log: silentLog, metrics: new Metrics(), flushIntervalMs: 60_000, now: () => now });
  w.noteUnknownMachine('52:54:00:00:00:0d', net, '10.66.0.102');
  await w.flush();
  now += 2000;
  w.noteUnknownMachine('52:54:00:00:00:0d', net, null); // its next DISCOVER
  w.noteUnknownMachine('52:54:00:00:00:0d', net, '10.66.0.102'); // and ACK
  await w.flush();
  assert.equal(calls.length, 1);
  w.noteUnknownMachine('52:54:00:00:00:0d', net, '10.66.0.103'); // a new address: written at once
  await w.flush();
  now += 61_000;
  w.noteUnknownMachine('52:54:00:00:00:0d', net, null); // a minute on: lastSeenAt moves
  await w.flush();
  assert.deepEqual(calls.map((c) => [c[2], c[3]]), [[['10.66.0.102'], [100_000]], [['10.66.0.103'], [102_000]], [[null], [163_000]]]);
  await w.close();
});
