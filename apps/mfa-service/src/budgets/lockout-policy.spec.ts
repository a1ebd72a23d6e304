import { LockoutPolicy, lockoutSchedule, lockoutSeconds, retryAfterSeconds } from './lockout-policy';

describe('failure budget backoff', () => {
  it('locks for 30 s after the first 10 failures and doubles with every further lockout, capped at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => lockoutSeconds(n, 30, 3600))).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
  });

  it('has no lockout before the first one and never overflows for huge lockout counts', () => {
    expect(lockoutSeconds(0, 30, 3600)).toBe(0);
    expect(lockoutSeconds(1_000_000, 30, 3600)).toBe(3600);
  });

  it('lists each distinct lockout length up to the cap for the database statement', () => {
    expect(lockoutSchedule(30, 3600)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600]);
    expect(lockoutSchedule(5, 5)).toEqual([5]);
  });

  it('starts a lockout on every 10th consecutive failure only', () => {
    const policy = new LockoutPolicy(10, 30, 3600);
    expect(policy.lockoutAfter(9)).toBe(0);
    expect(policy.lockoutAfter(10)).toBe(30);
    expect(policy.lockoutAfter(11)).toBe(0);
    expect(policy.lockoutAfter(20)).toBe(60);
    expect(policy.lockoutAfter(90)).toBe(3600);
    expect(policy.lockoutAfter(0)).toBe(0);
  });

  it('refuses settings that make no sense', () => {
    expect(() => new LockoutPolicy(0, 30, 3600)).toThrow(RangeError);
    expect(() => new LockoutPolicy(10, 60, 30)).toThrow(RangeError);
  });

  it('rounds Retry-After up to whole seconds and never answers 0', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(retryAfterSeconds(new Date(now.getTime() + 29_001), now)).toBe(30);
    expect(retryAfterSeconds(new Date(now.getTime() + 30_000), now)).toBe(30);
    expect(retryAfterSeconds(new Date(now.getTime() + 10), now)).toBe(1);
    expect(retryAfterSeconds(new Date(now.getTime() - 5000), now)).toBe(1);
  });
});
