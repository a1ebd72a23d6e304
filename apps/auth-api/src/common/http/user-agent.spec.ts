import { parseUserAgent } from './user-agent';

describe('parseUserAgent', () => {
  it('reads a desktop Chrome on Windows', () => {
    const ua = parseUserAgent(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    );
    expect(ua).toMatchObject({
      osName: 'Windows',
      osVersion: '10',
      clientType: 'browser',
      clientName: 'Chrome',
      clientVersion: '126.0',
      deviceName: 'desktop',
    });
  });

  it('reads Safari on iPhone and Firefox on Linux', () => {
    expect(
      parseUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toMatchObject({
      osName: 'iOS',
      osVersion: '17.5',
      clientName: 'Safari',
      deviceName: 'smartphone',
      deviceBrand: 'Apple',
    });
    expect(parseUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toMatchObject({
      osName: 'GNU/Linux',
      clientName: 'Firefox',
      clientEngine: 'Gecko',
    });
  });

  it('recognises the Node.js SDK as a library and leaves unknowns empty', () => {
    expect(parseUserAgent('AppwriteNodeJSSDK/27.1.0 (linux; x64)')).toMatchObject({
      clientType: 'library',
      clientName: 'Node.js SDK',
      clientVersion: '27.1.0',
    });
    expect(parseUserAgent(undefined)).toMatchObject({ osName: '', clientName: '', deviceName: '' });
    expect(parseUserAgent('something/1.0')).toMatchObject({ clientName: '', osName: '' });
  });
});
