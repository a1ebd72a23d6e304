import { randomBytes, randomInt } from 'node:crypto';

/** `n` decimal digits, each uniform, from the CSPRNG (leading zeros kept). */
export function randomDigits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(0, 10));
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * An Appwrite-style unique id: 20 lowercase hex characters, time-ordered prefix (seconds + microseconds,
 * like PHP's uniqid) followed by random digits. Ids are not secrets; they only need to be unique.
 */
export function uniqueId(now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000 + randomInt(0, 1000);
  return seconds.toString(16).padStart(8, '0') + micros.toString(16).padStart(5, '0') + randomBytes(4).toString('hex').slice(0, 7);
}
