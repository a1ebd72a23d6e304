import { decodeSessionCredential, encodeSessionCredential, parseCookieHeader, presentedCredential } from './session-credential';

const secret = 'ab'.repeat(128);
const value = encodeSessionCredential({ userId: 'user1', secret });

describe('session credential', () => {
  it('encodes as base64 of {"id":userId,"secret":…} exactly as Appwrite does', () => {
    expect(JSON.parse(Buffer.from(value, 'base64').toString('utf8'))).toEqual({ id: 'user1', secret });
    expect(decodeSessionCredential(value)).toEqual({ userId: 'user1', secret });
  });

  it('refuses malformed credentials', () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
    for (const bad of [
      '',
      'garbage',
      enc({ id: 'user1' }),
      enc({ id: 'user1', secret: 'ab' }),
      enc({ id: '../x', secret }),
      enc({ id: 'u', secret: secret.toUpperCase() }),
      enc([1, 2]),
      'x'.repeat(5000),
    ]) {
      expect(decodeSessionCredential(bad)).toBeUndefined();
    }
  });

  it('looks in the cookie, then the legacy cookie, then X-Appwrite-Session, then X-Fallback-Cookies', () => {
    const other = encodeSessionCredential({ userId: 'user2', secret });
    const fallback = JSON.stringify({ a_session_p1: other });
    expect(
      presentedCredential({ cookie: `a_session_p1=${value}; a_session_p1_legacy=${other}`, 'x-appwrite-session': other }, 'p1')?.source,
    ).toBe('cookie');
    expect(presentedCredential({ cookie: `a_session_p1_legacy=${value}`, 'x-appwrite-session': other }, 'p1')?.source).toBe(
      'legacy-cookie',
    );
    expect(presentedCredential({ 'x-appwrite-session': value, 'x-fallback-cookies': fallback }, 'p1')?.source).toBe('header');
    const fb = presentedCredential({ 'x-fallback-cookies': fallback }, 'p1');
    expect(fb?.source).toBe('fallback');
    expect(fb?.credential?.userId).toBe('user2');
  });

  it('skips empty cookies (a logged-out browser) and ignores other projects', () => {
    expect(presentedCredential({ cookie: `a_session_p1=; a_session_p2=${value}`, 'x-appwrite-session': value }, 'p1')?.source).toBe(
      'header',
    );
    expect(presentedCredential({ cookie: `a_session_p2=${value}` }, 'p1')).toBeUndefined();
  });

  it('treats a fallback array ([] after logout) or garbage as no credential', () => {
    expect(presentedCredential({ 'x-fallback-cookies': '[]' }, 'p1')).toBeUndefined();
    expect(presentedCredential({ 'x-fallback-cookies': '{not json' }, 'p1')).toBeUndefined();
    expect(presentedCredential({ 'x-fallback-cookies': JSON.stringify({ a_session_p1: 5 }) }, 'p1')).toBeUndefined();
  });

  it('parses cookie headers: first occurrence wins, quotes and percent-encoding removed', () => {
    const cookies = parseCookieHeader('a=1; b="two"; a=3; c=x%3Dy; bad');
    expect(cookies.get('a')).toBe('1');
    expect(cookies.get('b')).toBe('two');
    expect(cookies.get('c')).toBe('x=y');
  });
});
