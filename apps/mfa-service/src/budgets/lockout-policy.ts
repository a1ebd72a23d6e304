import { LockoutPolicy } from '@twostep/mfa-data-access';

/**
 * Failure budget per account and factor (NIST SP 800-63B rev 3 5.2.2 / rev 4 3.2.2, RFC 4226 7.3):
 * every `threshold` consecutive failures (default 10), across all challenges and sessions, lock the
 * factor. The n-th lockout lasts `base * 2^(n-1)` seconds (default 30 s, 60 s, 120 s, …), capped at
 * `max` (default 1 h). A success resets the count. With the defaults an attacker gets at most 10
 * guesses per lockout period, and at most 10 per hour after about two hours of trying.
 *
 * This only turns the settings into the policy's parameters; the one statement that applies them
 * (counting, locking, the n-th lockout's length) is FailureBudgetRepository.reserve.
 */
export function lockoutPolicy(s: {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  accountThreshold: number;
  hardLimit: number;
}): LockoutPolicy {
  for (const [name, value] of [
    ['threshold', s.threshold],
    ['accountThreshold', s.accountThreshold],
    ['hardLimit', s.hardLimit],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (!Number.isInteger(s.baseSeconds) || s.baseSeconds < 1 || s.maxSeconds < s.baseSeconds) {
    throw new RangeError('need 1 <= baseSeconds <= maxSeconds');
  }
  return {
    threshold: s.threshold,
    schedule: lockoutSchedule(s.baseSeconds, s.maxSeconds),
    accountThreshold: s.accountThreshold,
    hardLimit: s.hardLimit,
  };
}

/** Every distinct lockout length, base doubling each time up to and including the cap: entry n-1 is the n-th lockout's. */
export function lockoutSchedule(baseSeconds: number, maxSeconds: number): number[] {
  const out = [Math.min(baseSeconds, maxSeconds)];
  while (out[out.length - 1] < maxSeconds) out.push(Math.min(out[out.length - 1] * 2, maxSeconds));
  return out;
}

/** Whole seconds until `until` (at least 1), for `Retry-After`. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
