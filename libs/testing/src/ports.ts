import { readFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Where test listeners are placed: below the kernel's ephemeral range (Linux: 32768-60999), which outgoing
 * connections draw their local ports from. A port from `listen(0)` is in that range, and between the probe
 * and the child process's own listen an outgoing connection (pg, Redis, the e2e validating proxy opening one
 * upstream connection per request) could take it: EADDRINUSE, seen under load. Below the range only another
 * listener can collide, and the probe catches that.
 */
function listenerRange(): [number, number] {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && low > 12_000) return [low - 12_000, low - 1];
  } catch {
    /* not Linux: fall back to the kernel's choice */
  }
  return [0, 0];
}
const [LOW, HIGH] = listenerRange();
/** ports this process handed out already (two services of one stack must never get the same one) */
const handedOut = new Set<number>();

function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(bound || undefined));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range where the system allows. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50 && HIGH > 0; attempt++) {
    const port = randomInt(LOW, HIGH + 1);
    if (handedOut.has(port)) continue;
    if ((await probe(port)) === port) {
      handedOut.add(port);
      return port;
    }
  }
  const port = await probe(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** Polls `fn` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  fn: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      /* keep polling */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
