import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryEventSink } from './event-sink.ts';
import { Metrics } from '../metrics.ts';
import { maxEventSourcesPerWindow, maxLabelledSources, RefusalSummary, refusalWindowMs, type Refusal } from './refusal-summary.ts';

const log = { info() {}, warn() {}, error() {} };

function summary() {
  let nowMs = Date.parse('2026-12-07T12:00:00Z');
  const events = new MemoryEventSink();
  const metrics = new Metrics();
  const refusals = new RefusalSummary({ events, metrics, log, nowMs: () => nowMs, sweepMs: 0 });
  return { events, metrics, refusals, advance: (ms: number) => { nowMs += ms; } };
}

const probe = (clientIp: string, over: Partial<Refusal> = {}): Refusal =>
  ({ service: 'agent', clientIp, route: 'identity', status: 403, reason: `${clientIp} is not leased to 52:54:00:00:00:99`, ...over });

test('a flood from one source is one event at once and one summary a minute, every request counted', () => {
  const { events, metrics, refusals, advance } = summary();
  for (let i = 0; i < 300; i++) refusals.refused(probe('10.66.0.50'));
  assert.equal(events.events.length, 1, 'the first refusal only');
  assert.deepEqual(events.events[0]!.detail, { route: 'identity', clientIp: '10.66.0.50', status: 403, reason: '10.66.0.50 is not leased to 52:54:00:00:00:99', count: 1 });
  assert.equal(events.events[0]!.hostId, null, 'never on a host\'s timeline');
  assert.equal(metrics.get('fleetboot_refused_requests_total', { service: 'agent', source: '10.66.0.50' }), 300);

  advance(refusalWindowMs - 1);
  refusals.sweep();
  assert.equal(events.events.length, 1, 'no summary before the minute is over');
  advance(1);
  refusals.sweep();
  assert.equal(events.events.length, 2);
  const sum = events.events[1]!.detail!;
  assert.equal(sum.count, 299, 'the first was its own event');
  assert.deepEqual(sum.routes, { identity: 299 });
  assert.deepEqual(sum.statuses, { 403: 299 });
  assert.equal(sum.summary, true);

  // Still refused in the next minute: no event at once, one summary at its end.
  refusals.refused(probe('10.66.0.50', { route: 'progress', status: 415, reason: 'send application/json' }));
  assert.equal(events.events.length, 2);
  advance(refusalWindowMs);
  refusals.sweep();
  assert.equal(events.events.length, 3);
  assert.deepEqual([events.events[2]!.detail!.count, events.events[2]!.detail!.reason], [1, 'send application/json']);

  // A quiet minute closes the source: its next refusal is an event at once again.
  advance(refusalWindowMs);
  refusals.sweep();
  assert.equal(refusals.openSources(), 0);
  refusals.refused(probe('10.66.0.50'));
  assert.equal(events.events.length, 4);
});

test('each source gets its own first event and summary; services are told apart', () => {
  const { events, refusals, advance } = summary();
  refusals.refused(probe('10.66.0.50'));
  refusals.refused(probe('10.66.0.51'));
  refusals.refused(probe('10.66.0.50', { service: 'bootd', route: 'logs', status: 401 }));
  refusals.refused(probe('10.66.0.51'));
  assert.deepEqual(events.events.map((e) => [e.source, e.detail!.clientIp]), [['agent', '10.66.0.50'], ['agent', '10.66.0.51'], ['bootd', '10.66.0.50']]);
  advance(refusalWindowMs);
  refusals.sweep();
  assert.deepEqual(events.events.slice(3).map((e) => [e.source, e.detail!.clientIp, e.detail!.count]), [['agent', '10.66.0.51', 1]], 'only the source refused again gets a summary');
});

test('past the source caps: metrics go to source="other", events to one summed "other" window', () => {
  const { events, metrics, refusals, advance } = summary();
  const sources = maxLabelledSources + 20;
  for (let i = 0; i < sources; i++) refusals.refused(probe(`10.77.${i >> 8}.${i & 255}`));
  assert.equal(events.events.length, maxEventSourcesPerWindow + 1, 'one per source up to the cap, then one for the rest');
  assert.match(String(events.events.at(-1)!.detail!.note), /rest are summed/);
  assert.equal(metrics.get('fleetboot_refused_requests_total', { service: 'agent', source: 'other' }), 20);
  advance(refusalWindowMs);
  refusals.sweep();
  const other = events.events.at(-1)!.detail!;
  assert.deepEqual([other.clientIp, other.count, other.sources], ['other', sources - maxEventSourcesPerWindow - 1, sources - maxEventSourcesPerWindow - 1]);
});

test('close writes the pending summaries', () => {
  const { events, refusals } = summary();
  refusals.refused(probe('10.66.0.50'));
  refusals.refused(probe('10.66.0.50'));
  refusals.close();
  assert.deepEqual(events.events.map((e) => e.detail!.count), [1, 1]);
});
