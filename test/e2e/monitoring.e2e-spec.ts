import { SmtpSink, TestStack, waitFor } from '@twostep/testing';
import { allExpressions, exposedMetricNames, parsePromQL } from '../monitoring/monitoring-files';
import { Api } from './support/http';

const SERVICES = ['auth-api', 'mfa-service', 'notifier'] as const;

describe('monitoring against the running services', () => {
  let stack: TestStack;
  let smtp: SmtpSink;
  let api: Api;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    stack = await TestStack.start({
      label: 'monitoring',
      env: { SMTP_URL: smtp.url, SMTP_FROM: 'Twostep Test <no-reply@twostep.test>', CORS_ORIGINS: 'https://app.example.test' },
    });
    api = new Api(stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await smtp?.stop();
  });

  it('every metric the alert rules and the dashboard reference is exposed on some /metrics after a sign-in and an email challenge', async () => {
    const u = await api.createUser();
    expect((await api.admin('PATCH', `/users/${u.userId}/verification`, { emailVerification: true })).status).toBe(200);
    const { session } = await api.signIn(u.email, u.password);
    const created = await api.as<{ $id: string }>(session, 'POST', '/account/mfa/challenges', { factor: 'email' });
    expect(created.status).toBe(201);
    await smtp.waitFor((m) => m.envelopeTo.includes(u.email) && m.subject.startsWith('Verification Code'));
    await waitFor(
      async () =>
        (await api.as<{ delivery?: { status: string } }>(session, 'GET', `/account/mfa/challenges/${created.body.$id}`)).body.delivery
          ?.status === 'sent',
      10_000,
      100,
      'the delivery result',
    );

    const exposed = new Map<string, string[]>();
    for (const service of SERVICES) {
      const res = await fetch(stack.metricsUrl(service));
      expect(res.status).toBe(200);
      for (const name of exposedMetricNames(await res.text())) exposed.set(name, [...(exposed.get(name) ?? []), service]);
    }
    const referenced = new Set(allExpressions().flatMap(({ expr }) => parsePromQL(expr).metrics));
    expect(referenced.size).toBeGreaterThan(10);
    const missing = [...referenced].filter((name) => !exposed.has(name)).sort();
    expect(missing).toEqual([]);
    // the metrics this round added, each on the service that owns it
    expect(exposed.get('auth_sign_ins_total')).toEqual(['auth-api']);
    expect(exposed.get('auth_rate_limited_total')).toEqual(['auth-api']);
    expect(exposed.get('mfa_rpc_duration_seconds_bucket')).toEqual(['mfa-service']);
    expect(exposed.get('mfa_lockouts_total')).toEqual(['mfa-service']);
    expect(exposed.get('notifier_queue_oldest_waiting_seconds')).toEqual(['notifier']);
  }, 40_000);

  it('one request id finds the request in auth-api and the notifier: the access log, the queued job and its delivery', async () => {
    const u = await api.createUser();
    const { session } = await api.signIn(u.email, u.password);
    const reqId = `e2e-verify.${Date.now()}`;
    const res = await api.call('POST', '/account/verifications/email', {
      session,
      json: { url: 'https://app.example.test/verify' },
      headers: { 'x-request-id': reqId },
    });
    expect(res.status).toBe(201);
    await smtp.waitFor((m) => m.envelopeTo.includes(u.email));
    const parse = (line: string): { msg?: string; reqId?: string } => {
      try {
        return JSON.parse(line);
      } catch {
        return {};
      }
    };
    const carrying = (service: (typeof SERVICES)[number]) => stack.logs[service].map(parse).filter((l) => l.reqId === reqId);
    await waitFor(() => carrying('notifier').some((l) => l.msg === 'message sent'), 10_000, 50, 'the notifier log line');
    expect(carrying('auth-api').map((l) => l.msg)).toEqual(expect.arrayContaining(['verification message queued', 'request']));
  }, 40_000);
});
