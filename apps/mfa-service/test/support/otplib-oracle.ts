import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export interface OracleRequest {
  /** base32 secret, or raw key bytes as hex when `hexKey` is set */
  secret: string;
  hexKey?: boolean;
  epoch: number;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: 6 | 8;
}

const SCRIPT = `
const { generate } = require('otplib');
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', async () => {
  const out = [];
  for (const r of JSON.parse(input)) {
    const secret = r.hexKey ? new Uint8Array(Buffer.from(r.secret, 'hex')) : r.secret;
    out.push(await generate({ secret, epoch: r.epoch, algorithm: r.algorithm ?? 'sha1', digits: r.digits ?? 6 }));
  }
  process.stdout.write(JSON.stringify(out));
});`;

/**
 * TOTP codes computed by the `otplib` package's public API, as an independent oracle for our own
 * implementation. otplib 13 is ESM-only underneath (@scure/base, @noble/hashes), which Jest's CommonJS
 * runtime cannot load, so it runs in a plain Node child process (Node >= 20.19 loads it with require).
 */
export function otplibCodes(requests: OracleRequest[]): string[] {
  const out = execFileSync(process.execPath, ['-e', SCRIPT], {
    input: JSON.stringify(requests),
    cwd: resolve(__dirname, '../../../..'),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(out) as string[];
}
