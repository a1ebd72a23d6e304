import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Account, AppwriteException, Client, ID, Users } from 'node-appwrite';
import { Client as PgClient } from 'pg';
import { freePort, TestStack, waitFor } from '@twostep/testing';

const ROOT = join(__dirname, '..', '..');

/** A second auth-api process on its own port, sharing the stack's database and Redis. */
class Replica {
  readonly logs: string[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(stack: TestStack): Promise<Replica> {
    const port = await freePort();
    const healthPort = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'apps', 'auth-api', 'dist', 'main.js')], {
      env: { ...stack.env, PORT: String(port), HEALTH_PORT: String(healthPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const replica = new Replica(child, `http://127.0.0.1:${port}/v1`);
    const collect = (d: Buffer) => replica.logs.push(...d.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status === 200,
      20_000,
      50,
      'the second auth-api replica',
    );
    return replica;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

describe('sessions through node-appwrite, across two auth-api replicas (real Postgres and Redis)', () => {
  let stack: TestStack;
  let replica: Replica;
  let pg: PgClient;
  const secrets: string[] = [];

  const adminClient = (endpoint = stack.endpoint) => new Client().setEndpoint(endpoint).setProject(stack.projectId).setKey(stack.apiKey);
  const userClient = (secret: string, endpoint = stack.endpoint) =>
    new Client().setEndpoint(endpoint).setProject(stack.projectId).setSession(secret);

  async function seed(): Promise<{ userId: string; email: string; password: string }> {
    const email = `s-${ID.unique()}@example.test`;
    const password = `pw-${ID.unique()}`;
    secrets.push(password);
    const user = await new Users(adminClient()).create({ userId: ID.unique(), email, password, name: 'Session User' });
    return { userId: user.$id, email, password };
  }

  async function signIn(email: string, password: string, endpoint = stack.endpoint): Promise<string> {
    const session = await new Account(adminClient(endpoint)).createEmailPasswordSession({ email, password });
    expect(session.secret).not.toBe('');
    secrets.push(session.secret);
    return session.secret;
  }

  beforeAll(async () => {
    stack = await TestStack.start({ label: 'sessions' });
    replica = await Replica.start(stack);
    pg = new PgClient({ connectionString: stack.db.url });
    await pg.connect();
  }, 90_000);

  afterAll(async () => {
    await pg?.end();
    await replica?.stop();
    await stack?.stop();
  });

  it('signs in server-side with the API key and uses the returned secret with setSession', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    const account = new Account(userClient(secret));
    expect((await account.get()).$id).toBe(u.userId);
    const current = await account.getSession({ sessionId: 'current' });
    expect(current).toMatchObject({ userId: u.userId, factors: ['password'], current: true, secret: '' });
  });

  it('creates admin sessions with factors ["server"] through users.createSession', async () => {
    const u = await seed();
    const session = await new Users(adminClient()).createSession({ userId: u.userId });
    secrets.push(session.secret);
    expect(session.factors).toEqual(['server']);
    expect((await new Account(userClient(session.secret)).get()).$id).toBe(u.userId);
  });

  it('lists, extends and deletes sessions; a deleted session is refused', async () => {
    const u = await seed();
    const a = await signIn(u.email, u.password);
    const b = await signIn(u.email, u.password);
    const account = new Account(userClient(a));
    const list = await account.listSessions();
    expect(list.total).toBe(2);
    const other = list.sessions.find((s) => !s.current)!;
    const current = await account.getSession({ sessionId: 'current' });
    await new Promise((r) => setTimeout(r, 20));
    const extended = await account.updateSession({ sessionId: 'current' });
    // the lifetime is absolute: extending never moves `expire` past created + SESSION_DURATION_SECONDS
    expect(extended.$id).toBe(current.$id);
    expect(new Date(extended.expire).getTime()).toBe(new Date(current.$createdAt).getTime() + 2_592_000 * 1000);

    await account.deleteSession({ sessionId: other.$id });
    await expect(new Account(userClient(b)).get()).rejects.toMatchObject({ code: 401, type: 'general_unauthorized_scope' });
    await account.deleteSessions();
    await expect(account.get()).rejects.toBeInstanceOf(AppwriteException);
  });

  it('refuses an expired session', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    const account = new Account(userClient(secret));
    expect((await account.get()).$id).toBe(u.userId);
    await pg.query(`UPDATE auth.sessions SET expire = now() - interval '1 second' WHERE user_id = $1`, [u.userId]);
    await expect(account.get()).rejects.toMatchObject({ code: 401, type: 'general_unauthorized_scope' });
  });

  it('refuses a request that carries both an API key and a session (403 user_api_key_and_session_set)', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    const both = adminClient().setSession(secret);
    await expect(new Account(both).get()).rejects.toMatchObject({ code: 403, type: 'user_api_key_and_session_set' });
  });

  it('answers 401 user_more_factors_required once MFA is on with a verified email, but still lets the session log out', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    const users = new Users(adminClient());
    await users.updateEmailVerification({ userId: u.userId, emailVerification: true });
    await users.updateMFA({ userId: u.userId, mfa: true });
    const account = new Account(userClient(secret));
    await expect(account.get()).rejects.toMatchObject({ code: 401, type: 'user_more_factors_required' });
    await expect(account.deleteSessions()).rejects.toMatchObject({ type: 'user_more_factors_required' });
    await account.deleteSession({ sessionId: 'current' });
    await expect(account.get()).rejects.toMatchObject({ type: 'general_unauthorized_scope' });
  });

  it('asks mfa-service about TOTP when MFA is on and no address is verified: no authenticator, no second factor needed', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    await new Users(adminClient()).updateMFA({ userId: u.userId, mfa: true });
    expect((await new Account(userClient(secret)).get()).mfa).toBe(true);
  });

  it('deletes a user with users.delete: the user is gone and their sessions stop working', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    const users = new Users(adminClient());
    await users.delete({ userId: u.userId });
    await expect(users.get({ userId: u.userId })).rejects.toMatchObject({ code: 404, type: 'user_not_found' });
    await expect(new Account(userClient(secret)).get()).rejects.toMatchObject({ code: 401 });
    const { rows } = await pg.query('SELECT count(*)::int AS n FROM auth.sessions WHERE user_id = $1', [u.userId]);
    expect(rows[0].n).toBe(0);
  });

  it('honours on the second replica a session created through the first, and a logout done there', async () => {
    const u = await seed();
    const secret = await signIn(u.email, u.password);
    expect((await new Account(userClient(secret, replica.endpoint)).get()).$id).toBe(u.userId);
    const viaReplica = await signIn(u.email, u.password, replica.endpoint);
    expect((await new Account(userClient(viaReplica)).get()).$id).toBe(u.userId);
    await new Account(userClient(secret, replica.endpoint)).deleteSession({ sessionId: 'current' });
    await expect(new Account(userClient(secret)).get()).rejects.toMatchObject({ code: 401 });
  });

  it('counts sign-in attempts in one limit shared by both replicas', async () => {
    const u = await seed();
    const attempt = async (endpoint: string) => {
      const res = await fetch(`${endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: { 'x-appwrite-project': stack.projectId, 'content-type': 'application/json' },
        body: JSON.stringify({ email: u.email, password: 'not the password' }),
      });
      return { status: res.status, remaining: res.headers.get('x-ratelimit-remaining') };
    };
    for (let i = 0; i < 10; i++) {
      const r = await attempt(i % 2 === 0 ? stack.endpoint : replica.endpoint);
      expect(r).toEqual({ status: 401, remaining: String(9 - i) });
    }
    expect((await attempt(stack.endpoint)).status).toBe(429);
    expect((await attempt(replica.endpoint)).status).toBe(429);
  });

  it('never writes a password or session secret to any service log (both replicas, LOG_LEVEL=debug)', () => {
    const logs = `${stack.allLogs()}\n${replica.logs.join('\n')}`;
    expect(replica.logs.length).toBeGreaterThan(0);
    for (const s of secrets) {
      expect(logs).not.toContain(s);
      const decoded = Buffer.from(s, 'base64').toString('utf8');
      if (decoded.includes('"secret"')) expect(logs).not.toContain((JSON.parse(decoded) as { secret: string }).secret);
    }
    expect(logs).not.toMatch(/[A-Za-z0-9._%+-]+@example\.test/);
  });
});
