import assert from 'node:assert/strict';
import test from 'node:test';
import { decideAttempt, delaySecondsAfter, forgiveAttempt, type ThrottlePolicy, type ThrottleState } from './throttle-policy.ts';

const policy: ThrottlePolicy = { freeAttempts: 3, lockAfter: 6, lockSeconds: 900, maxDelaySeconds: 60, windowSeconds: 900 };
const t0 = new Date('2026-12-07T07:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const fresh: ThrottleState = { failures: 0, lastAttemptAt: t0, nextAttemptAt: t0, lockedUntil: null };

test('three free attempts, then 1, 2, 4 s… up to the cap', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 20].map((f) => delaySecondsAfter(f, policy)), [0, 0, 0, 1, 2, 4, 60]);
});

test('a burst: each attempt is counted before its password is checked, the delay starts at the third', () => {
  let state = fresh;
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const d = decideAttempt(state, policy, t0);
    outcomes.push(d.allowed ? `ok${d.delayed ? '+delay' : ''}` : d.reason);
    if (d.allowed) state = d.next;
  }
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok+delay', 'delayed', 'delayed', 'delayed']);
  assert.equal(state.failures, 3);
});

test('waiting out each delay reaches the lock; the lock holds for its time, then the key starts over', () => {
  let state = fresh;
  let now = 0;
  let lockedAt = -1;
  for (let i = 0; i < 6; i++) {
    const d = decideAttempt(state, policy, at(now));
    assert.ok(d.allowed, `attempt ${i + 1}`);
    state = d.next;
    if (d.locked) lockedAt = now;
    now += delaySecondsAfter(state.failures, policy);
  }
  assert.equal(state.failures, 6);
  assert.notEqual(lockedAt, -1);
  const refused = decideAttempt(state, policy, at(lockedAt + 899));
  assert.deepEqual(refused, { allowed: false, reason: 'locked', retryAfterSeconds: 1 });
  const after = decideAttempt(state, policy, at(lockedAt + 900));
  assert.ok(after.allowed && after.next.failures === 1);
});

test('failures are forgotten after a quiet window', () => {
  const d = decideAttempt({ failures: 5, lastAttemptAt: t0, nextAttemptAt: at(4), lockedUntil: null }, policy, at(901));
  assert.ok(d.allowed && d.next.failures === 1);
});

test('the client address: the peer, or past trusted proxies in X-Forwarded-For', async () => {
  const { clientAddressOf } = await import('./client-address.ts');
  assert.equal(clientAddressOf('::ffff:10.0.0.9', '1.2.3.4', []), '10.0.0.9', 'a client can not name itself');
  assert.equal(clientAddressOf('10.0.0.1', '1.2.3.4, 5.6.7.8', ['10.0.0.1']), '5.6.7.8');
  assert.equal(clientAddressOf('10.0.0.1', '1.2.3.4, 10.0.0.2', ['10.0.0.1', '10.0.0.2']), '1.2.3.4');
});

test('a right password takes its attempt back: forty sign-ins from one address never wait', () => {
  let state = fresh;
  for (let i = 0; i < 40; i++) {
    const d = decideAttempt(state, policy, at(i));
    assert.ok(d.allowed, `sign-in ${i + 1}`);
    state = forgiveAttempt(d.next, policy);
  }
  assert.deepEqual([state.failures, state.lockedUntil], [0, null]);
});

test('failures between successes still add up, and a success undoes only its own attempt', () => {
  let state = fresh;
  const attempt = (s: number) => {
    const d = decideAttempt(state, policy, at(s));
    assert.ok(d.allowed);
    state = d.next;
  };
  attempt(0); attempt(1); attempt(2); // three failures: the next must wait 1 s
  attempt(3);
  state = forgiveAttempt(state, policy); // the fourth was right
  assert.equal(state.failures, 3);
  assert.deepEqual(state.nextAttemptAt, at(4), 'the delay after three failures, from the last attempt');
});
