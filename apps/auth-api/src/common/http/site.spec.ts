import { isLocalOrIp, isSameSiteOrigin, siteOf } from './site';

describe('site comparison for X-Fallback-Cookies', () => {
  it('reduces hosts to their registrable domain', () => {
    expect(siteOf('api.example.com')).toBe('example.com');
    expect(siteOf('a.b.example.co.uk')).toBe('example.co.uk');
    expect(siteOf('localhost')).toBe('localhost');
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1');
  });

  it('sends the fallback when there is no Origin or a foreign one, not for the same site', () => {
    expect(isSameSiteOrigin(undefined, 'api.example.com')).toBe(false);
    expect(isSameSiteOrigin('null', 'api.example.com')).toBe(false);
    expect(isSameSiteOrigin('https://app.other.com', 'api.example.com')).toBe(false);
    expect(isSameSiteOrigin('https://app.example.com', 'api.example.com')).toBe(true);
    expect(isSameSiteOrigin('http://127.0.0.1:5173', '127.0.0.1')).toBe(true);
    expect(isSameSiteOrigin('http://localhost:5173', '127.0.0.1')).toBe(false);
  });

  it('knows where a cookie Domain attribute must not be set', () => {
    expect(isLocalOrIp('localhost')).toBe(true);
    expect(isLocalOrIp('10.0.0.1')).toBe(true);
    expect(isLocalOrIp('[::1]')).toBe(true);
    expect(isLocalOrIp('api.example.com')).toBe(false);
  });
});
