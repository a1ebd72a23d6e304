import { Client as PgClient } from 'pg';
import { Api } from './support/http';
import { startStackWithSinks, StackWithSinks } from './support/stack-with-sinks';

/**
 * Issue 10, hole 8: numbers that cannot receive an SMS or cost extra to text are refused with 400
 * before anything is queued, wherever a number enters (the account's phone) or is used (phone
 * verification, phone MFA challenges, also for a number stored before the rule). Nothing reaches the
 * loopback Twilio API for them; a mobile number still works.
 */
describe('SMS pumping: number types (three processes, real twilio SDK against the loopback sink)', () => {
  let s: StackWithSinks;
  let api: Api;
  let pg: PgClient;

  beforeAll(async () => {
    s = await startStackWithSinks('smspump');
    api = new Api(s.stack);
    pg = new PgClient({ connectionString: s.stack.db.url });
    await pg.connect();
  }, 90_000);

  afterAll(async () => {
    await pg?.end();
    await s?.stop();
  });

  it.each([
    ['premium-rate (US 900)', '+19005550100'],
    ['premium-rate (UK 09)', '+449098790000'],
    ['shared-cost/premium (FR 08 99)', '+33899123456'],
    ['toll-free (US 800)', '+18005550100'],
    ['landline (FR 01)', '+33144556677'],
    ['landline (UK 020)', '+442079460000'],
  ])('refuses a %s number as the account phone with 400, and sends nothing', async (_kind, number) => {
    const u = await api.createUser();
    const { session } = await api.signIn(u.email, u.password);
    const res = await api.as(session, 'PATCH', '/account/phone', { phone: number, password: u.password });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ type: 'general_argument_invalid' });
    expect((await api.as<{ phone: string }>(session, 'GET', '/account')).body.phone).toBe('');
    expect(s.twilio.messages.filter((m) => m.to === number)).toEqual([]);
  });

  it('refuses verification and MFA codes to a stored number of such a type with 400, before queueing', async () => {
    const u = await api.createUser();
    const landline = '+33144556677';
    // a number stored before the rule existed
    await pg.query('UPDATE auth.users SET phone = $1, phone_verification = true WHERE id = $2', [landline, u.userId]);
    const { session } = await api.signIn(u.email, u.password);
    const verification = await api.as(session, 'POST', '/account/verification/phone');
    expect(verification.status).toBe(400);
    expect(verification.body).toMatchObject({ type: 'general_argument_invalid' });
    const challenge = await api.as(session, 'POST', '/account/mfa/challenges', { factor: 'phone' });
    expect(challenge.status).toBe(400);
    expect(challenge.body).toMatchObject({ type: 'general_argument_invalid' });
    await new Promise((r) => setTimeout(r, 500));
    expect(s.twilio.messages.filter((m) => m.to === landline)).toEqual([]);
  });

  it('still accepts a mobile (and a US number, FIXED_LINE_OR_MOBILE) and texts its verification code', async () => {
    for (const number of ['+33612345670', '+14155550166']) {
      const u = await api.createUser();
      const { session } = await api.signIn(u.email, u.password);
      expect((await api.as(session, 'PATCH', '/account/phone', { phone: number, password: u.password })).status).toBe(200);
      expect((await api.as(session, 'POST', '/account/verification/phone')).status).toBe(201);
      expect((await s.twilio.waitForTo(number)).body).toMatch(/^\d{6} /);
    }
  });
});
