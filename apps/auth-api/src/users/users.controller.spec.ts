import { parseListQueries } from './users.controller';

describe('parseListQueries (node-appwrite 27 queries)', () => {
  it('defaults to 25 from the start', () => {
    expect(parseListQueries({})).toEqual({ limit: 25, offset: 0 });
  });

  it('reads limit and offset in the JSON query format the SDK flattens into the query string', () => {
    expect(
      parseListQueries({ 'queries[0]': '{"method":"limit","values":[5]}', 'queries[1]': '{"method":"offset","values":[10]}' }),
    ).toEqual({ limit: 5, offset: 10 });
  });

  it('refuses unsupported, malformed or out-of-range queries with 400', () => {
    for (const q of [
      '{"method":"equal","attribute":"email","values":["a"]}',
      'nope',
      '{"method":"limit","values":[0]}',
      '{"method":"limit","values":["5"]}',
    ]) {
      expect(() => parseListQueries({ 'queries[0]': q })).toThrow(expect.objectContaining({ type: 'general_argument_invalid' }));
    }
  });
});
