import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryEventSink } from '../events/event-sink.ts';
import { Metrics } from '../metrics.ts';
import { bucketOwnerIndex, loadBalanceBucket } from './load-balance.ts';
import { DhcpPeering } from './peer-heartbeat.ts';

const silentLog = { info() {}, warn() {}, error() {} };
const mac = (s: string) => Buffer.from(s.replace(/:/g, ''), 'hex');
// Buckets 22 and 196 (RFC 3074 hash): the first half is "bootd-a"'s, the second "bootd-b"'s.
const aClient = mac('52:54:00:66:40:00');
const bClient = mac('52:54:00:66:40:01');

function peering(rows: () => Array<{ id: string; serverAddress: string; silentMs: number; stopped: boolean }>, peers = ['bootd-b']) {
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const table = { beat: async () => rows(), markStopped: async () => undefined };
  const p = new DhcpPeering({
    table, config: { bootdId: 'bootd-a', peers, heartbeatMs: 1000, takeoverAfterSecs: 4 },
    serverAddress: '10.66.0.1', networkId: () => null, log: silentLog, metrics, events,
  });
  return { p, events, metrics };
}

test('the test MACs fall in the halves the test assumes', () => {
  assert.equal(bucketOwnerIndex(loadBalanceBucket(aClient), 2), 0);
  assert.equal(bucketOwnerIndex(loadBalanceBucket(bClient), 2), 1);
});

test('with the peer alive, each bootd answers only its half', async () => {
  const { p } = peering(() => [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs: 100, stopped: false }]);
  await p.beat();
  assert.deepEqual(p.decide(aClient, 0), { serve: true, takeover: false });
  assert.deepEqual(p.decide(bClient, 30), { serve: false, reason: 'peer-half', owner: 'bootd-b' });
});

test('a configured peer counts as alive until its first heartbeat is read', () => {
  const { p } = peering(() => []);
  assert.equal(p.decide(bClient, 60).serve, false);
});

test('peer gone: its clients are served once one has waited takeoverAfterSecs, then at once; handed back when it returns', async () => {
  let silentMs = 100;
  const { p, events } = peering(() => [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs, stopped: false }]);
  await p.beat();
  silentMs = 3500; // > 3 missed heartbeats of 1 s
  await p.beat();
  assert.deepEqual(p.decide(bClient, 1), { serve: false, reason: 'peer-half-waiting', owner: 'bootd-b' });
  assert.deepEqual(p.decide(bClient, 4), { serve: true, takeover: true });
  assert.deepEqual(p.decide(mac('52:54:00:66:40:0a'), 0), { serve: true, takeover: true }, 'after the takeover a new client of that half is served at once');
  assert.deepEqual(events.events.map((e) => e.type), ['dhcp-takeover']);
  silentMs = 200;
  await p.beat();
  assert.equal(p.decide(bClient, 30).serve, false);
  assert.deepEqual(events.events.map((e) => e.type), ['dhcp-takeover', 'dhcp-handback']);
});

test('a peer that stopped cleanly is taken over without waiting', async () => {
  const { p } = peering(() => [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs: 100, stopped: true }]);
  await p.beat();
  assert.deepEqual(p.decide(bClient, 0), { serve: true, takeover: true });
});

test('discovered peers: none found means every client is ours; a stopped one leaves the split', async () => {
  let rows = [] as Array<{ id: string; serverAddress: string; silentMs: number; stopped: boolean }>;
  const { p } = peering(() => rows, []);
  await p.beat();
  assert.deepEqual(p.status().members, ['bootd-a']);
  assert.equal(p.decide(bClient, 0).serve, true);
  rows = [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs: 50, stopped: false }];
  await p.beat();
  assert.deepEqual(p.status().members, ['bootd-a', 'bootd-b']);
  assert.equal(p.decide(bClient, 0).serve, false);
  rows = [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs: 50, stopped: true }];
  await p.beat();
  assert.deepEqual(p.status().members, ['bootd-a']);
  assert.equal(p.decide(bClient, 0).serve, true);
});

test('a heartbeat that fails changes nothing about the peers', async () => {
  let fail = false;
  const { p } = peering(() => { if (fail) throw new Error('db down'); return [{ id: 'bootd-b', serverAddress: '10.66.0.2', silentMs: 100, stopped: false }]; });
  await p.beat();
  fail = true;
  await p.beat();
  assert.equal(p.decide(bClient, 60).serve, false);
  assert.equal(p.decide(aClient, 0).serve, true);
});
