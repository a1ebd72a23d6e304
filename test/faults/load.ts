import { randomBytes } from 'node:crypto';
import type { SmtpSink } from '@twostep/testing';
import type { Cluster } from './cluster';
import { currentStep, totpAt } from '../e2e/support/totp';

export interface RequestRecord {
  at: number;
  route: string;
  status: number; // 0: no HTTP answer (connection refused, reset, timeout)
  ms: number;
  /** an error answer's Appwrite `type` (or `proxy` when the body is not Appwrite's JSON: HAProxy's own page) */
  type?: string;
}

export interface LoadReport {
  requests: RequestRecord[];
  challengesSent: number;
  codesReceived: number;
  duplicates: number;
  /** most times one code reached its address */
  maxPerCode: number;
  lostCodes: number;
  completed: number;
  /** TOTP challenges completed, and refused (a TOTP code computed for a fresh step is never wrong) */
  totpCompleted: number;
  totpRefused: number;
}

type User = { email: string; password: string };
/** a user with a verified TOTP authenticator and MFA on; `lastStep` is the newest 30 s step the server accepted (or may have) */
export type TotpUser = User & { secret: string; lastStep: number; busy?: boolean };

/**
 * A steady mixed load through the load balancer: each email worker signs in, asks for an email challenge,
 * waits for the code at the SMTP sink and completes the challenge; each TOTP worker signs in a user with an
 * authenticator, asks for a TOTP challenge and completes it with the code an authenticator app would show
 * (RFC 6238, computed independently of the product). Again and again until stopped. A TOTP step is
 * accepted once per user, so TOTP workers take turns over a pool of users and use each at most once per
 * 30 s step. Every request is recorded; every email challenge's code must arrive (lost otherwise),
 * duplicates are counted.
 */
export class Load {
  readonly requests: RequestRecord[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private challengesSent = 0;
  private completed = 0;
  private totpCompleted = 0;
  private totpRefused = 0;
  private lostCodes = 0;
  private readonly seen = new Map<string, number>(); // address|code -> times received

  private constructor(
    private readonly cluster: Cluster,
    private readonly smtp: SmtpSink,
    private readonly users: User[],
    private readonly codeTimeoutMs: number,
    private readonly totpUsers: TotpUser[],
    private readonly totpWorkers: number,
  ) {}

  /** Users with a verified TOTP authenticator and MFA on, made once and shared by every experiment's load. */
  static async prepareTotpUsers(cluster: Cluster, count: number): Promise<TotpUser[]> {
    const users: TotpUser[] = [];
    for (let i = 0; i < count; i++) {
      const email = `totp${randomBytes(5).toString('hex')}@example.test`;
      const password = 'correct horse battery staple';
      const created = await call(cluster, 'POST', '/users', {
        key: true,
        json: { userId: 'unique()', email, password, name: 'Load TOTP' },
      });
      if (created.status !== 201) throw new Error(`user create: ${created.status}`);
      const signIn = await call(cluster, 'POST', '/account/sessions/email', { json: { email, password } });
      const session = sessionOf(cluster, signIn.headers);
      const authenticator = await call(cluster, 'POST', '/account/mfa/authenticators/totp', { session, json: {} });
      if (authenticator.status !== 200) throw new Error(`totp enroll: ${authenticator.status}`);
      const secret = (authenticator.body as { secret: string }).secret;
      // the previous step's code (inside the server's ±1 step window), so the user can sign in with the
      // current step's code at once; the current step's code if the step turned meanwhile
      let step = currentStep() - 1;
      let verified = await call(cluster, 'PUT', '/account/mfa/authenticators/totp', { session, json: { otp: totpAt(secret, step) } });
      if (verified.status === 401) {
        step = currentStep();
        verified = await call(cluster, 'PUT', '/account/mfa/authenticators/totp', { session, json: { otp: totpAt(secret, step) } });
      }
      if (verified.status !== 200) throw new Error(`totp verify: ${verified.status}`);
      const mfaOn = await call(cluster, 'PATCH', '/account/mfa', { session, json: { mfa: true } });
      if (mfaOn.status !== 200) throw new Error(`mfa on: ${mfaOn.status}`);
      users.push({ email, password, secret, lastStep: step });
    }
    return users;
  }

  static async prepare(
    cluster: Cluster,
    smtp: SmtpSink,
    workers = 4,
    codeTimeoutMs = 30_000,
    totp: { users: TotpUser[]; workers: number } = { users: [], workers: 0 },
  ): Promise<Load> {
    const users: User[] = [];
    for (let i = 0; i < workers; i++) {
      const email = `load${randomBytes(5).toString('hex')}@example.test`;
      const password = 'correct horse battery staple';
      const created = await call(cluster, 'POST', '/users', { key: true, json: { userId: 'unique()', email, password, name: 'Load' } });
      if (created.status !== 201) throw new Error(`user create: ${created.status}`);
      const id = (created.body as { $id: string }).$id;
      const verified = await call(cluster, 'PATCH', `/users/${id}/verification`, { key: true, json: { emailVerification: true } });
      if (verified.status !== 200) throw new Error(`verify: ${verified.status}`);
      users.push({ email, password });
    }
    return new Load(cluster, smtp, users, codeTimeoutMs, totp.users, totp.users.length ? totp.workers : 0);
  }

  start(): void {
    this.running = true;
    this.loops = [...this.users.map((u) => this.loop(u)), ...Array.from({ length: this.totpWorkers }, () => this.totpLoop())];
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.countDeliveries();
    const received = [...this.seen.values()];
    return {
      requests: this.requests,
      challengesSent: this.challengesSent,
      codesReceived: received.length,
      duplicates: received.reduce((n, c) => n + (c - 1), 0),
      maxPerCode: Math.max(0, ...received),
      lostCodes: this.lostCodes,
      completed: this.completed,
      totpCompleted: this.totpCompleted,
      totpRefused: this.totpRefused,
    };
  }

  private async timed(route: string, method: string, path: string, opts: CallOpts) {
    const t0 = Date.now();
    const res = await call(this.cluster, method, path, opts).catch(() => ({ status: 0, body: undefined, headers: new Headers() }));
    const record: RequestRecord = { at: t0, route, status: res.status, ms: Date.now() - t0 };
    if (res.status >= 400) record.type = (res.body as { type?: unknown } | undefined)?.type?.toString() ?? 'proxy';
    this.requests.push(record);
    return res;
  }

  private async loop(user: User): Promise<void> {
    while (this.running) {
      const signIn = await this.timed('sign-in', 'POST', '/account/sessions/email', {
        json: { email: user.email, password: user.password },
      });
      if (signIn.status !== 201) {
        await pause(100);
        continue;
      }
      const session = sessionOf(this.cluster, signIn.headers);
      const after = Date.now();
      const challenge = await this.timed('challenge', 'POST', '/account/mfa/challenges', { session, json: { factor: 'email' } });
      if (challenge.status !== 201) {
        await pause(100);
        continue;
      }
      this.challengesSent++;
      const challengeId = (challenge.body as { $id: string }).$id;
      let code: string | undefined;
      try {
        const mail = await this.smtp.waitFor(
          (m) => m.envelopeTo.includes(user.email) && m.receivedAt.getTime() >= after && isCodeMail(m),
          this.codeTimeoutMs,
        );
        code = /\b(\d{6})\b/.exec(mail.text)?.[1];
      } catch {
        this.lostCodes++;
        continue;
      }
      const done = await this.timed('complete', 'PUT', '/account/mfa/challenges', { session, json: { challengeId, otp: code } });
      if (done.status === 200 || done.status === 201) this.completed++;
    }
  }

  /**
   * Paced so the workers together use the pool no faster than once per user per 30 s step: every
   * experiment, however short and however many share a step, gets TOTP flows all along.
   */
  private async totpLoop(): Promise<void> {
    const intervalMs = (30_000 * this.totpWorkers) / this.totpUsers.length;
    let nextAt = 0;
    while (this.running) {
      if (Date.now() < nextAt) {
        await pause(Math.min(100, nextAt - Date.now()));
        continue;
      }
      // a user whose authenticator has not been used in this 30 s step yet (and no other worker holds)
      const user = this.totpUsers.find((u) => !u.busy && u.lastStep < currentStep());
      if (!user) {
        await pause(100);
        continue;
      }
      user.busy = true;
      nextAt = Date.now() + intervalMs;
      try {
        const signIn = await this.timed('sign-in', 'POST', '/account/sessions/email', {
          json: { email: user.email, password: user.password },
        });
        if (signIn.status !== 201) {
          await pause(100);
          continue;
        }
        const session = sessionOf(this.cluster, signIn.headers);
        const challenge = await this.timed('totp-challenge', 'POST', '/account/mfa/challenges', { session, json: { factor: 'totp' } });
        if (challenge.status !== 201) {
          await pause(100);
          continue;
        }
        const step = currentStep();
        if (step <= user.lastStep) continue; // cannot happen: steps only move forward
        // the server may accept this step even when the answer never reaches us: never use it again
        user.lastStep = step;
        const done = await this.timed('totp-complete', 'PUT', '/account/mfa/challenges', {
          session,
          json: { challengeId: (challenge.body as { $id: string }).$id, otp: totpAt(user.secret, step) },
        });
        if (done.status === 200 || done.status === 201) this.totpCompleted++;
        else if (done.status >= 400 && done.status < 500) this.totpRefused++;
      } finally {
        user.busy = false;
      }
    }
  }

  /** Counts every captured email per (address, code), once the run is over and the sink holds them all. */
  private countDeliveries(): void {
    this.seen.clear();
    for (const m of this.smtp.messages.filter(isCodeMail)) {
      const code = /\b(\d{6})\b/.exec(m.text)?.[1];
      if (!code) continue;
      for (const to of m.envelopeTo.filter((t) => this.users.some((u) => u.email === t.toLowerCase()))) {
        const key = `${to}|${code}`;
        this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
      }
    }
  }
}

/** `base`: another endpoint than HAProxy's (an auth-api replica called directly) */
type CallOpts = { key?: boolean; session?: string; json?: unknown; base?: string };

async function call(cluster: Cluster, method: string, path: string, opts: CallOpts) {
  const headers: Record<string, string> = { 'x-appwrite-project': cluster.projectId };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.key) headers['x-appwrite-key'] = cluster.apiKey;
  if (opts.session) headers['x-appwrite-session'] = opts.session;
  const res = await fetch(`${opts.base ?? cluster.endpoint}${path}`, {
    method,
    headers,
    body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    body = text; // HAProxy's own pages are HTML
  }
  return { status: res.status, headers: res.headers, body };
}

export { call };

/** an email challenge's code (security notices go to the same addresses) */
export function isCodeMail(m: { subject: string }): boolean {
  return m.subject.startsWith('Verification Code');
}

export function sessionOf(cluster: Cluster, headers: Headers): string {
  return (JSON.parse(headers.get('x-fallback-cookies') ?? '{}') as Record<string, string>)[`a_session_${cluster.projectId}`];
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
