import { jsonDepthExceeds, MAX_JSON_DEPTH, newRequestId } from './app.factory';

describe('JSON depth limit (checked on the raw body, before parsing or validation)', () => {
  it('counts nested objects and arrays and stops past the limit', () => {
    expect(jsonDepthExceeds(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`, MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(`{"a":${'{"b":'.repeat(100_000)}`, MAX_JSON_DEPTH)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(1000), b: '\\"{{{{'.repeat(100) }), 3)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ a: 'x"y', b: [[[[1]]]] }), 3)).toBe(true);
  });

  it('does not let depth come back from closing brackets: siblings each count from their parent', () => {
    expect(jsonDepthExceeds(JSON.stringify([[[1]], [[2]], [[3]]]), 3)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify([[[1]], [[[2]]]]), 3)).toBe(true);
  });
});

describe('request ids (pooled randomness, uniqueId shape)', () => {
  it('are 20 hex digits, time-ordered by their first 8, and distinct across pool refills', () => {
    const now = Date.UTC(2026, 11, 5, 0, 40, 0, 123);
    const ids = Array.from({ length: 2000 }, () => newRequestId(now));
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{20}$/);
      expect(id.slice(0, 8)).toBe(
        Math.floor(now / 1000)
          .toString(16)
          .padStart(8, '0'),
      );
      // the microseconds field starts at the millisecond of `now`
      expect(Math.floor(parseInt(id.slice(8, 13), 16) / 1000)).toBe(123);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(newRequestId(now + 1000) > newRequestId(now)).toBe(true);
  });
});
