import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type TwilioResponse from 'twilio/lib/http/response';

/** What the HTTP client saw of the last response inside one `capture` call. */
export interface TwilioResponseInfo {
  status?: number;
  retryAfter?: string;
}

/**
 * The SDK's own HTTP client (auth, form encoding, response parsing stay Twilio's), with two
 * additions: requests go to `baseUrl` instead of https://api.twilio.com when one is configured
 * (TWILIO_API_URL: tests, egress proxies), and the `Retry-After` header of the response is kept for
 * the caller, since the SDK's `RestException` drops headers.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  private readonly responses = new AsyncLocalStorage<TwilioResponseInfo>();
  private readonly base?: URL;

  constructor(baseUrl: string | undefined, timeoutMs: number) {
    super({ timeout: timeoutMs, autoRetry: false, keepAlive: true });
    this.base = baseUrl ? new URL(baseUrl) : undefined;
  }

  /** Runs `work` and returns what the client saw of its responses. */
  async capture<T>(work: () => Promise<T>): Promise<{ result?: T; error?: unknown; info: TwilioResponseInfo }> {
    const info: TwilioResponseInfo = {};
    try {
      const result = await this.responses.run(info, work);
      return { result, info };
    } catch (error) {
      return { error, info };
    }
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    let uri = opts.uri;
    if (this.base) {
      const target = new URL(opts.uri);
      const basePath = this.base.pathname.replace(/\/$/, '');
      uri = `${this.base.origin}${basePath}${target.pathname}${target.search}`;
    }
    const response = await super.request<TData>({ ...opts, uri });
    const info = this.responses.getStore();
    if (info) {
      info.status = response.statusCode;
      const header = (response.headers as Record<string, unknown> | undefined)?.['retry-after'];
      info.retryAfter = typeof header === 'string' ? header : undefined;
    }
    return response;
  }
}
