import { connect, Socket } from 'node:net';
import type { TestStack } from '@twostep/testing';

/**
 * A raw TCP peer of mfa-service speaking Nest's framing (`<length>#<json>`) by hand, to send what a
 * genuine client never would (no credentials, a wrong key, a replayed frame) and record every byte back.
 */
export class RawRpcPeer {
  readonly frames: unknown[] = [];
  received = '';
  closed: Promise<void>;
  private buffer = '';
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.buffer += chunk;
      for (;;) {
        const hash = this.buffer.indexOf('#');
        if (hash < 0) break;
        const length = Number(this.buffer.slice(0, hash));
        if (this.buffer.length < hash + 1 + length) break;
        this.frames.push(JSON.parse(this.buffer.slice(hash + 1, hash + 1 + length)));
        this.buffer = this.buffer.slice(hash + 1 + length);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async open(port: number): Promise<RawRpcPeer> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const peer = new RawRpcPeer(socket);
    await peer.waitFrames(1);
    return peer;
  }

  /** the server's hello nonce */
  get serverNonce(): string {
    return (this.frames[0] as { h: { n: string } }).h.n;
  }

  send(frame: unknown): void {
    const json = JSON.stringify(frame);
    this.socket.write(`${json.length}#${json}`);
  }

  async waitFrames(n: number, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (this.frames.length < n && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, until - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** true if the server closed the connection within `ms` */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A counter of a service's /metrics (summed over the label values that match `labels`). */
export async function metricValue(
  stack: TestStack,
  service: 'auth-api' | 'mfa-service' | 'mfa-service-2',
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const url = stack.metricsUrl(service);
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
