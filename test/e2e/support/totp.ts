import { createHmac } from 'node:crypto';

/** RFC 4648 base32 (no padding) to bytes. */
export function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of input.replace(/=+$/, '').toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The code an authenticator app shows for `secret` at time step `step` (RFC 6238: SHA-1, 6 digits,
 * 30 s) — computed independently of the product, as the user's phone would.
 */
export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(bin % 1_000_000).padStart(6, '0');
}

export function currentStep(now = Date.now()): number {
  return Math.floor(now / 1000 / 30);
}

/**
 * Waits until at least `marginMs` remain in the current 30 s step, so a code computed now for
 * "step + delta" is judged against the same step by the server (no flake at a step boundary).
 */
export async function awayFromStepBoundary(marginMs = 3000): Promise<void> {
  const intoStep = Date.now() % 30_000;
  if (30_000 - intoStep < marginMs) await new Promise((r) => setTimeout(r, 30_000 - intoStep + 200));
}
