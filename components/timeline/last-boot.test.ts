import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineEvent, TimelineSession } from '@/lib/boot-event.ts';
import { simulatedBootSteps } from '@/boot-services/testing/simulated-boot.ts';
import { describeLastBoot } from './last-boot.ts';

const t0 = Date.parse('2026-12-07T10:00:00Z');

/** A session of the simulated boot's first `count` steps (all when undefined), one second apart, plus `extra`. */
function session(outcome: string | null, count?: number, extra: Array<Pick<TimelineEvent, 'source' | 'type' | 'detail'>> = [], fail = false): TimelineSession {
  const steps = [...simulatedBootSteps({ hostId: 'h1', mac: '52:54:00:00:00:01', fail }).slice(0, count), ...extra];
  const events: TimelineEvent[] = steps.map((s, i) => ({
    seq: String(i + 1),
    id: `e${i}`,
    sessionId: 's1',
    source: s.source,
    type: s.type,
    at: new Date(t0 + i * 1000).toISOString(),
    detail: (s.detail ?? {}) as Record<string, unknown>,
    bytesDone: 'bytesDone' in s ? ((s as { bytesDone?: number | null }).bytesDone ?? null) : null,
    bytesTotal: 'bytesTotal' in s ? ((s as { bytesTotal?: number | null }).bytesTotal ?? null) : null,
  }));
  return { id: 's1', startedAt: new Date(t0).toISOString(), endedAt: null, phase: 'dhcp', outcome, events, omitted: 0 };
}

test('a failed boot names its phase and the agent\'s reason in full, with what to try for it', () => {
  const story = describeLastBoot(session('failed', undefined, [], true));
  assert.equal(story.outcome, 'failed');
  assert.equal(story.headline, 'Last boot failed in the root file system');
  assert.equal(story.reason, 'rootfs: checksum mismatch');
  assert.match(story.tries[0] ?? '', /does not match the image's checksum/);
  assert.match(story.tries.at(-1) ?? '', /Power panel/);
});

test('a boot stalled after a refused TFTP file says which file and why', () => {
  const story = describeLastBoot(session('stalled', 6, [{ source: 'tftp', type: 'transfer-error', detail: { file: 'discovery/kernel', reason: 'not-found' } }]));
  assert.equal(story.headline, 'Last boot stalled in the kernel');
  assert.equal(story.reason, 'TFTP discovery/kernel: the transfer failed (not-found)');
  assert.match(story.tries[0] ?? '', /does not exist/);
  assert.ok(story.tries.some((t) => /kernel download stopped/.test(t)));
});

test('a stalled boot with no failure event says where nothing more was heard', () => {
  const story = describeLastBoot(session('stalled', 4));
  assert.equal(story.headline, 'Last boot stalled in DHCP');
  assert.equal(story.reason, 'nothing was heard from it after it reached DHCP, 3.0 s into the boot');
  assert.match(story.tries[0] ?? '', /No boot file reached it/);
});

test('up says how long it took; booting says where it is; no session says it has not booted', () => {
  const up = describeLastBoot(session('up'));
  assert.equal(up.outcome, 'up');
  assert.match(up.headline, /^Last boot came up in \d+\.\d s$/);
  assert.equal(up.reason, null);
  assert.deepEqual(up.tries, []);
  assert.equal(describeLastBoot(session(null, 8)).headline, 'Booting: in the kernel');
  assert.equal(describeLastBoot(undefined).outcome, 'none');
});

test('an up whose health check failed is a failure with the check\'s reason', () => {
  const story = describeLastBoot(session('failed', 25, [{ source: 'agent', type: 'failed', detail: { phase: 'health-check', reason: 'the role\'s health check `test -e /x` exited 1' } }]));
  assert.equal(story.reason, 'the role\'s health check `test -e /x` exited 1');
  assert.match(story.tries[0] ?? '', /health check failed/);
});
