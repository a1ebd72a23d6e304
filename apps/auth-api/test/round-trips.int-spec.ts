import { Sql } from '@twostep/persistence';
import { asUser, AuthApiHarness, call, signUpAndIn, startAuthApi } from './harness';
import { SessionsRepository } from '../src/sessions/sessions.repository';

/**
 * SQL round trips of an authenticated request (issue 15), counted on the one query helper every
 * repository uses: the session lookup brings what the guard needs in one statement, and the session's
 * activity is written at most once a minute (SESSION_IDLE_TIMEOUT_SECONDS >= 600), not on every request.
 */
describe('SQL statements per authenticated request (real Postgres)', () => {
  let h: AuthApiHarness;
  let statements: string[] = [];
  let stop: () => void;

  beforeAll(async () => {
    h = await startAuthApi({ label: 'roundtrips' });
    stop = h.app.get(Sql).onStatement((text) => statements.push(text));
  }, 30_000);
  afterAll(async () => {
    stop?.();
    await h?.close();
  });

  async function countedGets(n: number, headers: Record<string, string>): Promise<number> {
    statements = [];
    for (let i = 0; i < n; i++) expect((await call(`${h.endpoint}/account`, { headers: h.headers(headers) })).status).toBe(200);
    return statements.length;
  }

  it('one statement per request with a session; the activity written once when a minute has passed', async () => {
    const u = await signUpAndIn(h);
    const session = { 'x-appwrite-session': u.credential };
    await asUser(h, u.credential, 'GET', '/account'); // the user's first access is recorded once
    expect(await countedGets(10, session)).toBe(10);
    h.clock.advance(61);
    expect(await countedGets(10, session)).toBe(11);
    expect(await countedGets(10, session)).toBe(10);
  });

  it('one statement per request with a JWT', async () => {
    const u = await signUpAndIn(h);
    const minted = await call<{ jwt: string }>(`${h.endpoint}/account/jwts`, {
      method: 'POST',
      headers: h.headers({ 'x-appwrite-session': u.credential }),
    });
    expect(await countedGets(10, { 'x-appwrite-jwt': minted.body.jwt })).toBe(10);
  });

  it('writes last_active_at only when it is older than the interval, whoever asks (replicas, concurrent requests)', async () => {
    const u = await signUpAndIn(h);
    const sessions = h.app.get(SessionsRepository);
    const lastActive = async () =>
      ((await h.pg.query('SELECT last_active_at FROM sessions WHERE id = $1', [u.sessionId])).rows[0] as { last_active_at: Date })
        .last_active_at;
    const t0 = await lastActive();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    await sessions.touch(u.sessionId, u.userId, at(5_000), at(5_000 - 60_000), at(0));
    expect(await lastActive()).toEqual(t0);
    await sessions.touch(u.sessionId, u.userId, at(61_000), at(61_000 - 60_000), at(0));
    expect(await lastActive()).toEqual(at(61_000));
  });
});
