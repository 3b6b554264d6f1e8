// How failed sign-ins are slowed down (issue 17: 60 wrong passwords in 3.5 s, then the right one
// worked). Per key (a user name, a client address): a few free attempts, then each attempt must
// wait twice as long as the one before, then the key is locked for a while. A key forgets its
// failures after a quiet window. Pure: the throttle's SQL applies it.

export interface ThrottlePolicy {
  /** failed attempts that cost nothing (typos) */
  freeAttempts: number;
  /** failed attempts after which the key is locked */
  lockAfter: number;
  lockSeconds: number;
  maxDelaySeconds: number;
  /** failures older than this (and no lock) are forgotten */
  windowSeconds: number;
}

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** One user name: 3 free, then 1, 2, 4, 8… s, locked 15 min at 10 (FLEETBOOT_SIGNIN_LOCK_AFTER). */
export function userThrottlePolicy(): ThrottlePolicy {
  return { freeAttempts: 3, lockAfter: envInt('FLEETBOOT_SIGNIN_LOCK_AFTER', 10), lockSeconds: envInt('FLEETBOOT_SIGNIN_LOCK_SECONDS', 900), maxDelaySeconds: 60, windowSeconds: 900 };
}

/**
 * One client address, whatever names it tries (a guesser walking through user names): more
 * room, since an office behind one NAT shares it; locked 15 min at 50 (FLEETBOOT_SIGNIN_ADDRESS_LOCK_AFTER).
 */
export function addressThrottlePolicy(): ThrottlePolicy {
  return { freeAttempts: 10, lockAfter: envInt('FLEETBOOT_SIGNIN_ADDRESS_LOCK_AFTER', 50), lockSeconds: envInt('FLEETBOOT_SIGNIN_LOCK_SECONDS', 900), maxDelaySeconds: 30, windowSeconds: 900 };
}

/** Seconds the next attempt must wait after `failures` failed ones. */
export function delaySecondsAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeAttempts) return 0;
  return Math.min(2 ** (failures - policy.freeAttempts), policy.maxDelaySeconds);
}

export interface ThrottleState {
  failures: number;
  lastAttemptAt: Date;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
}

export type AttemptDecision =
  | { allowed: true; next: ThrottleState; delayed: boolean; locked: boolean }
  | { allowed: false; reason: 'locked' | 'delayed'; retryAfterSeconds: number };

/**
 * Whether an attempt may be made now and, if so, the key's state as if it fails: the attempt is
 * counted before the password is checked, so a burst of parallel guesses can't all slip in
 * before the first failure is written. A success clears the user's key.
 */
export function decideAttempt(state: ThrottleState, policy: ThrottlePolicy, now: Date): AttemptDecision {
  const wait = (until: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  if (state.lockedUntil && state.lockedUntil > now) return { allowed: false, reason: 'locked', retryAfterSeconds: wait(state.lockedUntil) };
  if (state.nextAttemptAt > now) return { allowed: false, reason: 'delayed', retryAfterSeconds: wait(state.nextAttemptAt) };
  const quiet = now.getTime() - state.lastAttemptAt.getTime() > policy.windowSeconds * 1000;
  const lockExpired = state.lockedUntil !== null && state.lockedUntil <= now;
  const failures = (quiet || lockExpired ? 0 : state.failures) + 1;
  const locked = failures >= policy.lockAfter;
  const delay = delaySecondsAfter(failures, policy);
  return {
    allowed: true,
    delayed: delay > 0 && delaySecondsAfter(failures - 1, policy) === 0,
    locked,
    next: {
      failures,
      lastAttemptAt: now,
      nextAttemptAt: new Date(now.getTime() + delay * 1000),
      lockedUntil: locked ? new Date(now.getTime() + policy.lockSeconds * 1000) : null,
    },
  };
}

/**
 * A right password takes its own attempt back (it was counted as failed before the check), so
 * people signing in from one address (an office behind NAT, a script) never add up to a delay;
 * a guesser's failures between successes still do.
 */
export function forgiveAttempt(state: ThrottleState, policy: ThrottlePolicy): ThrottleState {
  const failures = Math.max(0, state.failures - 1);
  return {
    failures,
    lastAttemptAt: state.lastAttemptAt,
    nextAttemptAt: new Date(state.lastAttemptAt.getTime() + delaySecondsAfter(failures, policy) * 1000),
    lockedUntil: failures >= policy.lockAfter ? state.lockedUntil : null,
  };
}
