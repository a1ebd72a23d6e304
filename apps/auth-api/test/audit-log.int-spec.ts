import { admin, asUser, AuthApiHarness, startAuthApi, signUpAndIn } from './harness';
import { AuditLogService } from '../src/audit/audit-log.service';

interface LogList {
  total: number;
  logs: Array<{ event: string; time: string; ip: string }>;
}

describe('audit log retention and access (real Postgres)', () => {
  let h: AuthApiHarness;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'audit', env: { AUDIT_LOG_RETENTION_DAYS: '2' } });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  it('hides entries older than AUDIT_LOG_RETENTION_DAYS and purges them', async () => {
    const u = await signUpAndIn(h);
    const fresh = await asUser<LogList>(h, u.credential, 'GET', '/account/logs');
    expect(fresh.body.logs.map((l) => l.event)).toEqual(['session.create.password']);
    h.clock.advance(2 * 86_400 + 60);
    try {
      const later = await admin<LogList>(h, 'GET', `/users/${u.userId}/logs`);
      expect(later.body).toEqual({ total: 0, logs: [] });
      expect(await h.app.get(AuditLogService).purge()).toBeGreaterThanOrEqual(1);
      const rows = await h.pg.query('SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1', [u.userId]);
      expect(rows.rows[0].n).toBe(0);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('answers 404 for the logs of an unknown user and 400 for a malformed id, never a 5xx', async () => {
    expect((await admin(h, 'GET', '/users/nobody-here/logs')).body).toMatchObject({ type: 'user_not_found', code: 404 });
    expect((await admin(h, 'GET', '/users/..%2F/logs')).status).toBe(400);
  });

  it('goes with its user (the rows cascade when the user row is deleted)', async () => {
    const u = await signUpAndIn(h);
    const count = async () =>
      (await h.pg.query('SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1', [u.userId])).rows[0].n as number;
    expect(await count()).toBe(1);
    await h.pg.query('DELETE FROM users WHERE id = $1', [u.userId]);
    expect(await count()).toBe(0);
  });
});
