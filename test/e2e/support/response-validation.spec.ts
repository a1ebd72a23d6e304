import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResponseValidator, ValidatingProxy } from './response-validation';

const date = '2026-01-02T03:04:05.000+00:00';
const challenge = { $id: 'a1b2c3d4e5f6a7b8c9d0', $createdAt: date, userId: 'u1', expire: date };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const error = { message: 'Invalid token', code: 401, type: 'user_invalid_token', version: '1.9.6' };

describe('ResponseValidator', () => {
  it('finds the documented route of a request, a static segment before a parameter', () => {
    const v = new ResponseValidator();
    expect(v.match('POST', '/v1/account/sessions/anonymous')?.key).toBe('POST /v1/account/sessions/anonymous');
    expect(v.match('GET', '/v1/account/sessions/current?x=1')?.key).toBe('GET /v1/account/sessions/:sessionId');
    expect(v.match('DELETE', '/v1/users/u1/mfa/authenticators/totp')?.key).toBe('DELETE /v1/users/:userId/mfa/authenticators/:type');
    expect(v.match('GET', '/v1/nope')).toBeUndefined();
  });

  it('accepts responses that match their documented model and status', () => {
    const v = new ResponseValidator();
    expect(v.check('POST', '/v1/account/mfa/challenges', 201, 'application/json; charset=utf-8', json(challenge))).toBeUndefined();
    expect(v.check('DELETE', '/v1/account/sessions/current', 204, undefined, Buffer.alloc(0))).toBeUndefined();
    expect(v.check('PUT', '/v1/account/mfa/challenges', 401, 'application/json', json(error))).toBeUndefined();
    expect(v.check('GET', '/v1/avatars/qr?text=x', 200, 'image/png', Buffer.from([0x89, 0x50]))).toBeUndefined();
    expect(v.violations).toEqual([]);
  });

  it('records a wrong field, an extra field, an undocumented status, a 204 with a content type and a non-Appwrite error, never the body', () => {
    const v = new ResponseValidator();
    const secret = 'a'.repeat(64);
    v.check('POST', '/v1/account/mfa/challenges', 201, 'application/json', json({ ...challenge, expire: 12, code: secret }));
    v.check('POST', '/v1/account/mfa/challenges', 200, 'application/json', json(challenge));
    v.check('DELETE', '/v1/account/sessions/current', 204, 'application/json', Buffer.alloc(0));
    v.check('GET', '/v1/account', 404, 'text/plain', Buffer.from('Not Found'));
    v.check('GET', '/v1/account', 401, 'application/json', json({ message: 'x', code: 401, type: 'not_a_type', version: '1' }));
    expect(v.violations.map((x) => `${x.route} ${x.status}`)).toEqual([
      'POST /v1/account/mfa/challenges 201',
      'POST /v1/account/mfa/challenges 200',
      'DELETE /v1/account/sessions/:sessionId 204',
      'GET /v1/account 404',
      'GET /v1/account 401',
    ]);
    expect(v.violations[0].problems.join('\n')).toMatch(/expire: invalid_type/);
    expect(v.violations[0].problems.join('\n')).toMatch(/unrecognized_keys/);
    expect(v.violations[4].problems.join('\n')).toMatch(/^type: invalid_value/);
    expect(v.report()).not.toContain(secret);
  });
});

describe('ValidatingProxy', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let body = JSON.stringify(challenge);

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let received = '';
      req.on('data', (c: Buffer) => (received += c.toString()));
      req.on('end', () => {
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.setHeader('x-echo', `${req.headers['x-appwrite-project']}|${received}|${req.socket.remoteAddress}`);
        if (req.url === '/v1/account/sessions/current') {
          res.statusCode = 204;
          return res.end();
        }
        res.statusCode = 201;
        res.setHeader('content-type', 'application/json');
        res.end(body);
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => upstream.close(r));
  });

  it('passes requests and responses through unchanged and records a response that breaks its schema', async () => {
    const validator = new ResponseValidator();
    const proxy = await ValidatingProxy.start(upstreamUrl, validator);
    try {
      const send = () =>
        fetch(`${proxy.url}/v1/account/mfa/challenges`, {
          method: 'POST',
          headers: { 'x-appwrite-project': 'p1', 'content-type': 'application/json' },
          body: '{"factor":"totp"}',
        });
      const ok = await send();
      expect(ok.status).toBe(201);
      expect(ok.headers.get('x-echo')).toBe('p1|{"factor":"totp"}|127.0.0.1');
      expect(ok.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
      expect(await ok.json()).toEqual(challenge);
      const gone = await fetch(`${proxy.url}/v1/account/sessions/current`, { method: 'DELETE' });
      expect({ status: gone.status, type: gone.headers.get('content-type'), text: await gone.text() }).toEqual({
        status: 204,
        type: null,
        text: '',
      });
      expect(validator.violations).toEqual([]);

      body = JSON.stringify({ ...challenge, userId: undefined });
      const bad = await send();
      expect(await bad.json()).toEqual({ ...challenge, userId: undefined });
      expect(validator.violations).toEqual([
        { route: 'POST /v1/account/mfa/challenges', status: 201, problems: [expect.stringMatching(/^userId: invalid_type/)] },
      ]);
      expect(validator.checked).toBe(3);
    } finally {
      body = JSON.stringify(challenge);
      await proxy.close();
    }
  });

  it("keeps the client's loopback source address (tests act as several clients by address)", async () => {
    const proxy = await ValidatingProxy.start(upstreamUrl, new ResponseValidator());
    try {
      const { port } = new URL(proxy.url);
      const echo = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, method: 'POST', path: '/v1/account/mfa/challenges', localAddress: '127.0.0.3' },
          (res) => {
            res.resume();
            resolve(String(res.headers['x-echo']));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(echo.split('|').pop()).toBe('127.0.0.3');
    } finally {
      await proxy.close();
    }
  });

  it('drops the connection when auth-api cannot be reached, as without the proxy', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise((r) => dead.close(r));
    const proxy = await ValidatingProxy.start(deadUrl, new ResponseValidator());
    try {
      await expect(fetch(`${proxy.url}/v1/account`)).rejects.toThrow();
    } finally {
      await proxy.close();
    }
  });
});
