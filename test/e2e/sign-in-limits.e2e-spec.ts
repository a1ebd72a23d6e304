import * as server from 'node-appwrite';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { TestStack } from '@twostep/testing';

/**
 * Issue 10, hole 5: failed sign-ins are limited per source address across accounts and per
 * (address, email), so one address cannot spray accounts and a stranger's failures do not lock the
 * owner out. Distinct source addresses come from binding the client socket to other loopback
 * addresses (127.0.0.2, 127.0.0.3: all of 127/8 is local on Linux).
 */
describe('sign-in limits per source address', () => {
  const PER_IP = 20;
  let stack: TestStack;
  let users: server.Users;
  const password = 'correct horse battery staple';
  const newEmail = () => `u${randomBytes(5).toString('hex')}@example.test`;

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'signinlimits', env: { SIGN_IN_FAILURES_PER_IP: String(PER_IP) } });
    users = new server.Users(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId).setKey(stack.apiKey));
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** POST /v1/account/sessions/email from `localAddress` (no SDK can choose its source address). */
  function signInFrom(localAddress: string, email: string, pass: string): Promise<{ status: number; type?: string; remaining?: string }> {
    const body = JSON.stringify({ email, password: pass });
    const url = new URL(`${stack.endpoint}/account/sessions/email`);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          localAddress,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-appwrite-project': stack.projectId },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const parsed = text ? (JSON.parse(text) as { type?: string }) : {};
            resolve({
              status: res.statusCode ?? 0,
              type: parsed.type,
              remaining: res.headers['x-ratelimit-remaining'] as string | undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('one address spraying many accounts is stopped after SIGN_IN_FAILURES_PER_IP failures; the owner still signs in from another address with the SDK', async () => {
    const email = newEmail();
    await users.create({ userId: server.ID.unique(), email, password });

    // a stranger at 127.0.0.2 guesses the owner's password: limited per (address, email) after 10
    for (let i = 0; i < 10; i++) expect((await signInFrom('127.0.0.2', email, `wrong guess ${i}!`)).status).toBe(401);
    expect(await signInFrom('127.0.0.2', email, 'wrong guess 10!')).toMatchObject({ status: 429, type: 'general_rate_limit_exceeded' });
    // then sprays other accounts from the same address: limited across accounts
    let sprayed = 10;
    let refused: { status: number; type?: string } | undefined;
    while (sprayed < PER_IP + 5) {
      const res = await signInFrom('127.0.0.2', newEmail(), 'some guessed password');
      if (res.status === 429) {
        refused = res;
        break;
      }
      expect(res.status).toBe(401);
      sprayed++;
    }
    expect(sprayed).toBe(PER_IP);
    expect(refused).toMatchObject({ status: 429, type: 'general_rate_limit_exceeded' });
    // even the right password is refused from that address now
    expect((await signInFrom('127.0.0.2', email, password)).status).toBe(429);

    // the owner, from other addresses, is not locked out: raw HTTP from 127.0.0.3, the SDK from 127.0.0.1
    expect((await signInFrom('127.0.0.3', email, password)).status).toBe(201);
    const account = new server.Account(new server.Client().setEndpoint(stack.endpoint).setProject(stack.projectId));
    const session = await account.createEmailPasswordSession({ email, password });
    expect(session.factors).toEqual(['password']);
    // and another address may still fail on it a few times without being limited
    expect(await signInFrom('127.0.0.3', email, 'typo password!')).toMatchObject({ status: 401, remaining: '9' });
  }, 60_000);
});
