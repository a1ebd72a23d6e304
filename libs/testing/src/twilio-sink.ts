import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface CapturedSms {
  sid: string;
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  /** Basic auth user:password the SDK sent */
  auth: { username: string; password: string };
  receivedAt: Date;
}

/** A scripted answer for the next request instead of accepting the message. */
export interface TwilioFailure {
  /** HTTP status (e.g. 400, 401, 429, 500, 503) */
  status: number;
  /** Twilio error code (e.g. 21211, 21610, 21408, 20003, 20429) */
  code?: number;
  message?: string;
  /** seconds, sent as Retry-After */
  retryAfter?: number;
  /** never answer (the client's timeout must fire) */
  hang?: boolean;
}

/**
 * A loopback HTTP server speaking Twilio's Messages API (`POST /2010-04-01/Accounts/{sid}/Messages.json`),
 * for the real `twilio` SDK pointed at it through TWILIO_API_URL. It checks Basic auth against the
 * configured account, records accepted messages, and can answer the next requests with scripted errors.
 */
export class TwilioSink {
  readonly messages: CapturedSms[] = [];
  /** every request that reached the server, accepted or not */
  requests = 0;
  private failures: TwilioFailure[] = [];
  private delayMs = 0;
  private waiters: Array<{ match: (m: CapturedSms) => boolean; resolve: (m: CapturedSms) => void }> = [];
  private readonly hanging = new Set<ServerResponse>();

  readonly accountSid = `AC${randomBytes(16).toString('hex')}`;
  readonly authToken = randomBytes(16).toString('hex');

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** http://127.0.0.1:<port> — what TWILIO_API_URL should be */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TwilioSink> {
    const ref: { sink?: TwilioSink } = {};
    const server = createServer((req, res) => void ref.sink!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const sink = new TwilioSink(server, (server.address() as AddressInfo).port);
    ref.sink = sink;
    return sink;
  }

  failNext(count: number, failure: TwilioFailure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** scripted failures not used yet (a retry would have used one) */
  get pendingFailures(): number {
    return this.failures.length;
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec((req.url ?? '').split('?')[0]);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !match) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const [user, pass] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':');
    if (user !== this.accountSid || pass !== this.authToken || match[1] !== this.accountSid) {
      return json(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const failure = this.failures.shift();
    if (failure?.hang) {
      this.hanging.add(res);
      return;
    }
    if (failure) {
      return json(
        failure.status,
        {
          code: failure.code ?? failure.status,
          message: failure.message ?? 'scripted failure',
          more_info: `https://www.twilio.com/docs/errors/${failure.code ?? ''}`,
          status: failure.status,
        },
        failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
      );
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const sms: CapturedSms = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid: match[1],
      to: form.get('To') ?? '',
      from: form.get('From') ?? undefined,
      messagingServiceSid: form.get('MessagingServiceSid') ?? undefined,
      body: form.get('Body') ?? '',
      auth: { username: user, password: pass },
      receivedAt: new Date(),
    };
    if (!sms.to || (!sms.from && !sms.messagingServiceSid) || !sms.body) {
      return json(400, { code: 21604, message: "A 'To' phone number, a sender and a 'Body' are required.", status: 400 });
    }
    this.messages.push(sms);
    for (const w of [...this.waiters]) {
      if (w.match(sms)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(sms);
      }
    }
    const now = new Date().toUTCString();
    json(201, {
      sid: sms.sid,
      account_sid: sms.accountSid,
      to: sms.to,
      from: sms.from ?? null,
      messaging_service_sid: sms.messagingServiceSid ?? null,
      body: sms.body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: now,
      date_updated: now,
      date_sent: null,
      price: null,
      error_code: null,
      error_message: null,
      uri: `/2010-04-01/Accounts/${sms.accountSid}/Messages/${sms.sid}.json`,
      subresource_uris: {},
    });
  }

  waitFor(match: (m: CapturedSms) => boolean, timeoutMs = 10_000): Promise<CapturedSms> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: CapturedSms) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching SMS within ${timeoutMs} ms (${this.messages.length} received)`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  latestTo(to: string): CapturedSms | undefined {
    return [...this.messages].reverse().find((m) => m.to === to);
  }

  waitForTo(to: string, timeoutMs = 10_000, after = 0): Promise<CapturedSms> {
    return this.waitFor((m) => m.to === to && m.receivedAt.getTime() >= after, timeoutMs);
  }

  clear(): void {
    this.messages.length = 0;
    this.failures = [];
    this.requests = 0;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
