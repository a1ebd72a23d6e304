import { admin, AuthApiHarness, call, startAuthApi } from './harness';

interface User {
  $id: string;
  email: string;
  phone: string;
  emailVerification: boolean;
  phoneVerification: boolean;
  mfa: boolean;
  status: boolean;
}

describe('admin users routes (API key; real Postgres and Redis; mfa-service absent)', () => {
  let h: AuthApiHarness;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'users' });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('creates, reads and lists users, never returning a password hash', async () => {
    const created = await admin<User & Record<string, unknown>>(h, 'POST', '/users', {
      userId: 'seed-1',
      email: 'Seed1@Example.test',
      password: 'seed password',
      name: 'Seed',
      phone: '+14155552671',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ $id: 'seed-1', email: 'seed1@example.test', phone: '+14155552671' });
    for (const key of ['password', 'hash', 'hashOptions']) expect(created.body).not.toHaveProperty(key);
    await admin(h, 'POST', '/users', { userId: 'seed-2', email: 'seed2@example.test' });
    expect((await admin(h, 'GET', '/users/seed-1')).body).toMatchObject({ $id: 'seed-1' });
    expect((await admin(h, 'GET', '/users/nobody')).body).toMatchObject({ type: 'user_not_found', code: 404 });

    const list = await admin<{ total: number; users: User[] }>(
      h,
      'GET',
      `/users?search=seed&queries%5B0%5D=${encodeURIComponent('{"method":"limit","values":[1]}')}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.users.map((u) => u.$id)).toEqual(['seed-1']);
    expect(JSON.stringify(list.body)).not.toContain('argon2');
  });

  it('sets verification flags, phone, MFA and status', async () => {
    await admin(h, 'POST', '/users', { userId: 'flags', email: 'flags@example.test', password: 'flags password' });
    expect((await admin<User>(h, 'PATCH', '/users/flags/verification', { emailVerification: true })).body.emailVerification).toBe(true);
    expect((await admin<User>(h, 'PATCH', '/users/flags/phone', { number: '+14155552672' })).body).toMatchObject({
      phone: '+14155552672',
      phoneVerification: false,
    });
    expect((await admin<User>(h, 'PATCH', '/users/flags/verification/phone', { phoneVerification: true })).body.phoneVerification).toBe(
      true,
    );
    expect((await admin<User>(h, 'PATCH', '/users/flags/mfa', { mfa: true })).body.mfa).toBe(true);
    const strict = await admin(h, 'PATCH', '/users/flags/mfa', { mfa: 'true' });
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({ message: 'Invalid `mfa` param: Value must be a valid boolean' });
    expect((await admin(h, 'PATCH', '/users/nobody/mfa', { mfa: true })).status).toBe(404);
  });

  it('refuses admin routes without the API key', async () => {
    const res = await call(`${h.endpoint}/users`, { headers: h.headers() });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ type: 'general_unauthorized_scope' });
  });

  it('deletes nothing when mfa-service cannot purge the user’s factors (503, fail closed)', async () => {
    await admin(h, 'POST', '/users', { userId: 'keep-me', email: 'keep@example.test', password: 'keep password' });
    const res = await admin(h, 'DELETE', '/users/keep-me', {});
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ type: 'general_service_unavailable' });
    expect((await admin(h, 'GET', '/users/keep-me')).status).toBe(200);
  });

  it('validates path ids with the custom id rule', async () => {
    for (const id of ['..%2Fsms', 'a%23b', `${'a'.repeat(40)}`, '%27%20OR%201%3D1--']) {
      const res = await admin(h, 'GET', `/users/${id}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'general_argument_invalid' });
    }
  });
});
