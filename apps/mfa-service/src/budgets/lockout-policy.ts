/**
 * Failure budget per account and factor (NIST SP 800-63B rev 3 5.2.2 / rev 4 3.2.2, RFC 4226 7.3):
 * every `threshold` consecutive failures (default 10), across all challenges and sessions, lock the
 * factor. The n-th lockout lasts `base * 2^(n-1)` seconds (default 30 s, 60 s, 120 s, …), capped at
 * `max` (default 1 h). A success resets the count. With the defaults an attacker gets at most 10
 * guesses per lockout period, and at most 10 per hour after about two hours of trying.
 */
export class LockoutPolicy {
  /** lockout lengths in seconds: entry n-1 is the n-th lockout; the last entry repeats */
  readonly schedule: readonly number[];

  constructor(
    readonly threshold: number,
    readonly baseSeconds: number,
    readonly maxSeconds: number,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('threshold must be a positive integer');
    if (baseSeconds < 1 || maxSeconds < baseSeconds) throw new RangeError('need 1 <= baseSeconds <= maxSeconds');
    this.schedule = lockoutSchedule(baseSeconds, maxSeconds);
  }

  /** Length of the lockout started by the `failures`-th consecutive failure, or 0 if it starts none. */
  lockoutAfter(failures: number): number {
    if (failures <= 0 || failures % this.threshold !== 0) return 0;
    return lockoutSeconds(failures / this.threshold, this.baseSeconds, this.maxSeconds);
  }
}

/** Length of the n-th lockout (n >= 1): base doubling each time, capped at max. */
export function lockoutSeconds(n: number, baseSeconds: number, maxSeconds: number): number {
  if (n < 1) return 0;
  // 2^(n-1) overflows nothing below the cap: stop doubling once the cap is reached
  let seconds = baseSeconds;
  for (let i = 1; i < n && seconds < maxSeconds; i++) seconds *= 2;
  return Math.min(seconds, maxSeconds);
}

/** Every distinct lockout length up to and including the cap, in order. */
export function lockoutSchedule(baseSeconds: number, maxSeconds: number): number[] {
  const out: number[] = [];
  for (let n = 1; ; n++) {
    const s = lockoutSeconds(n, baseSeconds, maxSeconds);
    out.push(s);
    if (s >= maxSeconds) return out;
  }
}

/** Whole seconds until `until` (at least 1), for `Retry-After`. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
