import { jsonDepthExceeds, MAX_JSON_DEPTH } from './app.factory';

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
