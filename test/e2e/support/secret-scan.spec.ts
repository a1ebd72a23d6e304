import { randomBytes } from 'node:crypto';
import { containsToken, leakedSecrets } from './secret-scan';

describe('secret scan (whole tokens)', () => {
  it('finds a code standing alone in JSON, text and key=value', () => {
    for (const dump of ['{"otp":"493817"}', 'your code is 493817.', 'code=493817&x=1', '493817', '[493817]', 'a 493817\nb']) {
      expect({ dump, found: containsToken(dump, '493817') }).toEqual({ dump, found: true });
    }
  });

  it('does not find a code inside a hex id, a hash or a longer number', () => {
    for (const dump of ['"id":"a493817f00"', 'k1.ff493817', '4938170', '1493817', 'abc493817', '493817abc']) {
      expect({ dump, found: containsToken(dump, '493817') }).toEqual({ dump, found: false });
    }
  });

  it('never matches a 6-digit code by chance in a large dump of hex ids and hashes', () => {
    const dump = JSON.stringify(
      Array.from({ length: 2000 }, () => ({ id: randomBytes(10).toString('hex'), hash: `k1.${randomBytes(32).toString('hex')}` })),
    );
    const codes = Array.from({ length: 100 }, (_, i) => String(100000 + i * 8999));
    // (a substring scan finds one of these in a dump this size about as often as not)
    expect(leakedSecrets(dump, codes)).toEqual([]);
  });

  it('finds values that begin or end with punctuation (base64 keys, URIs, e-mail addresses)', () => {
    expect(containsToken('key: abc+/def==,', 'abc+/def==')).toBe(true);
    expect(containsToken('x=abc+/def==y', 'abc+/def==')).toBe(true);
    expect(containsToken('to <alice@example.test>', 'alice@example.test')).toBe(true);
    expect(containsToken('uri otpauth://totp/X?secret=ABC', 'otpauth://totp/X?secret=ABC')).toBe(true);
    expect(containsToken('+14155550123', '+14155550123')).toBe(true);
    expect(containsToken('+141555501234', '+14155550123')).toBe(false);
  });

  it('treats regular-expression characters in a value literally', () => {
    expect(containsToken('a.b', 'a.b')).toBe(true);
    expect(containsToken('axb', 'a.b')).toBe(false);
  });
});
