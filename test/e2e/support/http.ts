import { randomBytes } from 'node:crypto';
import type { TestStack } from '@twostep/testing';

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** parsed JSON, or undefined for an empty body */
  body: T;
  /** the raw body text (for leak checks) */
  text: string;
}

/** Raw HTTP against a running stack, the way any client (not only the SDKs) can call it. */
export class Api {
  constructor(private readonly stack: TestStack) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: { session?: string; key?: boolean; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { 'x-appwrite-project': this.stack.projectId, ...opts.headers };
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    if (opts.session) headers['x-appwrite-session'] = opts.session;
    if (opts.key) headers['x-appwrite-key'] = this.stack.apiKey;
    const res = await fetch(`${this.stack.endpoint}${path}`, {
      method,
      headers,
      ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : {}),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, headers: res.headers, body: body as T, text };
  }

  admin<T = Record<string, unknown>>(method: string, path: string, json?: unknown) {
    return this.call<T>(method, path, { key: true, ...(json !== undefined ? { json } : {}) });
  }

  as<T = Record<string, unknown>>(session: string, method: string, path: string, json?: unknown) {
    return this.call<T>(method, path, { session, ...(json !== undefined ? { json } : {}) });
  }

  /** A user created with the API key. */
  async createUser(opts: { email?: string; password?: string; name?: string } = {}) {
    const email = opts.email ?? `u${randomBytes(6).toString('hex')}@example.test`;
    const password = opts.password ?? 'correct horse battery staple';
    const res = await this.admin<{ $id: string }>('POST', '/users', {
      userId: 'unique()',
      email,
      password,
      name: opts.name ?? 'Test User',
    });
    if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${res.text}`);
    return { userId: res.body.$id, email, password };
  }

  /** A password-only session (factors ["password"]) and its encoded credential, as the user signs in. */
  async signIn(email: string, password: string): Promise<{ session: string; sessionId: string }> {
    const res = await this.call<{ $id: string }>('POST', '/account/sessions/email', { json: { email, password } });
    if (res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${res.text}`);
    // Node sends no Origin, so the credential comes back in X-Fallback-Cookies (appwrite-api.md 1.4)
    const fallback = JSON.parse(res.headers.get('x-fallback-cookies') ?? '{}') as Record<string, string>;
    const session = fallback[`a_session_${this.stack.projectId}`];
    if (!session) throw new Error('no session credential in X-Fallback-Cookies');
    return { session, sessionId: res.body.$id };
  }
}
