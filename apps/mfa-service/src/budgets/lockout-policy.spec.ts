import { lockoutPolicy, lockoutSchedule, retryAfterSeconds } from './lockout-policy';

describe('lockout policy parameters', () => {
  it('lists each distinct lockout length, doubling from the base up to the cap, for the database statement', () => {
    expect(lockoutSchedule(30, 3600)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600]);
    expect(lockoutSchedule(5, 5)).toEqual([5]);
    expect(lockoutSchedule(1, 1_000_000)).toHaveLength(21);
  });

  it('builds the parameters the failure-budget statement applies', () => {
    expect(lockoutPolicy({ threshold: 10, baseSeconds: 30, maxSeconds: 3600, accountThreshold: 25, hardLimit: 100 })).toEqual({
      threshold: 10,
      schedule: [30, 60, 120, 240, 480, 960, 1920, 3600],
      accountThreshold: 25,
      hardLimit: 100,
    });
  });

  it('refuses settings that make no sense', () => {
    const ok = { threshold: 10, baseSeconds: 30, maxSeconds: 3600, accountThreshold: 25, hardLimit: 100 };
    expect(() => lockoutPolicy({ ...ok, threshold: 0 })).toThrow(RangeError);
    expect(() => lockoutPolicy({ ...ok, accountThreshold: 1.5 })).toThrow(RangeError);
    expect(() => lockoutPolicy({ ...ok, hardLimit: 0 })).toThrow(RangeError);
    expect(() => lockoutPolicy({ ...ok, baseSeconds: 60, maxSeconds: 30 })).toThrow(RangeError);
    expect(() => lockoutPolicy({ ...ok, baseSeconds: 0 })).toThrow(RangeError);
  });

  it('rounds Retry-After up to whole seconds and never answers 0', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(retryAfterSeconds(new Date(now.getTime() + 29_001), now)).toBe(30);
    expect(retryAfterSeconds(new Date(now.getTime() + 30_000), now)).toBe(30);
    expect(retryAfterSeconds(new Date(now.getTime() + 10), now)).toBe(1);
    expect(retryAfterSeconds(new Date(now.getTime() - 5000), now)).toBe(1);
  });
});
