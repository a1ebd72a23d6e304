import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface CapturedEmail {
  /** envelope sender (MAIL FROM) */
  envelopeFrom: string;
  /** envelope recipients (RCPT TO) */
  envelopeTo: string[];
  /** the raw RFC 5322 message as received */
  raw: string;
  /** decoded header values, lower-case names (first occurrence) */
  headers: Record<string, string>;
  subject: string;
  /** decoded text/plain part (or the whole body if not multipart) */
  text: string;
  /** decoded text/html part, '' if none */
  html: string;
  receivedAt: Date;
}

export interface SmtpFailure {
  /** SMTP reply code, e.g. 421 (transient) or 550 (permanent) */
  code: number;
  message?: string;
}

export interface SmtpSinkOptions {
  /** require AUTH (PLAIN/LOGIN, allowed without TLS) with these credentials; anything else gets 535 */
  auth?: { user: string; pass: string };
}

/**
 * A real SMTP server on 127.0.0.1 (npm smtp-server) for tests: nodemailer talks to it over TCP exactly as
 * it would to a production relay. It stores every accepted message, and can be told to refuse the next
 * N messages with a given reply code, or to hold messages for a while.
 */
export class SmtpSink {
  readonly messages: CapturedEmail[] = [];
  private failures: SmtpFailure[] = [];
  private delayMs = 0;
  private inFlightCount = 0;
  private waiters: Array<{ match: (m: CapturedEmail) => boolean; resolve: (m: CapturedEmail) => void }> = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  /** smtp://127.0.0.1:<port> — what the notifier's SMTP_URL should be */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** smtp://user:pass@127.0.0.1:<port> — an SMTP_URL with credentials */
  urlWithAuth(user: string, pass: string): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${this.port}`;
  }

  /** connections currently open (a message whose DATA is in progress holds one) */
  async connectionCount(): Promise<number> {
    return new Promise((resolve, reject) => this.server.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const ref: { sink?: SmtpSink } = {};
    const required = options.auth;
    const server = new SMTPServer({
      authOptional: !required,
      disabledCommands: ['STARTTLS'],
      ...(required
        ? {
            allowInsecureAuth: true,
            onAuth(auth, _session, callback) {
              if (auth.username === required.user && auth.password === required.pass) return callback(null, { user: auth.username });
              const err = new Error('Authentication credentials invalid') as Error & { responseCode: number };
              err.responseCode = 535;
              callback(err);
            },
          }
        : {}),
      logger: false,
      size: 10 * 1024 * 1024,
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void ref.sink!.accept(Buffer.concat(chunks).toString('utf8'), session).then(
            () => callback(),
            (err: Error) => callback(err),
          );
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const sink = new SmtpSink(server, (server.server.address() as AddressInfo).port);
    ref.sink = sink;
    return sink;
  }

  /** The next `count` messages are refused with `failure` (e.g. {code: 421} or {code: 550}). */
  failNext(count: number, failure: SmtpFailure): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** scripted failures not used yet (a retry would have used one) */
  get pendingFailures(): number {
    return this.failures.length;
  }

  /** Every message waits this long before it is accepted (to keep a delivery in flight). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** messages whose DATA was received and that wait for the sink's answer (see {@link setDelay}) */
  get inFlight(): number {
    return this.inFlightCount;
  }

  private async accept(raw: string, session: SMTPServerSession): Promise<void> {
    this.inFlightCount++;
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    } finally {
      this.inFlightCount--;
    }
    const failure = this.failures.shift();
    if (failure) {
      const err = new Error(failure.message ?? `refused by test sink (${failure.code})`) as Error & { responseCode: number };
      err.responseCode = failure.code;
      throw err;
    }
    const mail = parseMessage(raw);
    const captured: CapturedEmail = {
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      envelopeTo: session.envelope.rcptTo.map((r) => r.address),
      raw,
      ...mail,
      receivedAt: new Date(),
    };
    this.messages.push(captured);
    for (const w of [...this.waiters]) {
      if (w.match(captured)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(captured);
      }
    }
  }

  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (m: CapturedEmail) => boolean, timeoutMs = 10_000): Promise<CapturedEmail> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: CapturedEmail) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching email within ${timeoutMs} ms (${this.messages.length} received)`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The latest message whose envelope recipients include `address`. */
  latestTo(address: string): CapturedEmail | undefined {
    const a = address.toLowerCase();
    return [...this.messages].reverse().find((m) => m.envelopeTo.some((t) => t.toLowerCase() === a));
  }

  waitForTo(address: string, timeoutMs = 10_000, after = 0): Promise<CapturedEmail> {
    const a = address.toLowerCase();
    return this.waitFor((m) => m.receivedAt.getTime() >= after && m.envelopeTo.some((t) => t.toLowerCase() === a), timeoutMs);
  }

  clear(): void {
    this.messages.length = 0;
    this.failures = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * RFC 2047 encoded words. Whitespace between adjacent encoded words is dropped and their bytes are
 * joined before decoding, so a word (or a multi-byte character) split over several of them reads back whole.
 */
function decodeEncodedWords(value: string): string {
  const word = /=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi;
  let out = '';
  let pending: Buffer[] = [];
  let last = 0;
  const flush = () => {
    if (pending.length) out += Buffer.concat(pending).toString('utf8');
    pending = [];
  };
  for (const m of value.matchAll(word)) {
    const between = value.slice(last, m.index);
    if (!(pending.length && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const data = m[3];
    pending.push(m[2].toUpperCase() === 'B' ? Buffer.from(data, 'base64') : latin1Qp(data.replace(/_/g, ' ')));
    last = (m.index ?? 0) + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

/** Q-encoding bytes (=XX escapes) without interpreting them as text yet. */
function latin1Qp(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(s[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function splitHeadersBody(raw: string): { headers: Record<string, string>; body: string } {
  const idx = raw.search(/\r?\n\r?\n/);
  const head = idx >= 0 ? raw.slice(0, idx) : raw;
  const body = idx >= 0 ? raw.slice(idx).replace(/^\r?\n\r?\n/, '') : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    const name = line.slice(0, c).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeEncodedWords(line.slice(c + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, headers: Record<string, string>): string {
  const enc = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** A small MIME reader: enough for nodemailer's text/html alternatives. */
export function parseMessage(raw: string): { headers: Record<string, string>; subject: string; text: string; html: string } {
  const { headers, body } = splitHeadersBody(raw);
  let text = '';
  let html = '';
  const walk = (hdrs: Record<string, string>, content: string) => {
    const type = hdrs['content-type'] ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const part of content.split(`--${boundary}`).slice(1)) {
        if (part.startsWith('--')) break;
        const p = splitHeadersBody(part.replace(/^\r?\n/, ''));
        walk(p.headers, p.body);
      }
    } else if (/^text\/html/i.test(type)) {
      html ||= decodeBody(content, hdrs);
    } else if (/^text\//i.test(type)) {
      text ||= decodeBody(content, hdrs);
    }
  };
  walk(headers, body);
  return { headers, subject: headers.subject ?? '', text: text.trimEnd(), html };
}
