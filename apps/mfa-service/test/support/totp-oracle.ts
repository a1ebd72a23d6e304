import { createHmac } from 'node:crypto';

/**
 * An independent TOTP oracle for the tests: RFC 4226/6238 written out from `node:crypto`'s HMAC and the
 * RFC 4648 alphabet, sharing no code with the product (which goes through otplib). It stands for the
 * user's authenticator app; the RFC vectors in the product's spec check both against the RFC.
 */
export interface OracleRequest {
  /** base32 secret, or raw key bytes as hex when `hexKey` is set */
  secret: string;
  hexKey?: boolean;
  epoch: number;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  digits?: 6 | 8;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Bytes(text: string): Buffer {
  let bits = '';
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error('not base32');
    bits += idx.toString(2).padStart(5, '0');
  }
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** The code of one request: HMAC over the 8-byte big-endian step, dynamic truncation, last `digits` digits. */
export function oracleCode(r: OracleRequest): string {
  const key = r.hexKey ? Buffer.from(r.secret, 'hex') : base32Bytes(r.secret);
  const digits = r.digits ?? 6;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(r.epoch / 30)));
  const mac = createHmac(r.algorithm ?? 'sha1', key)
    .update(counter)
    .digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function oracleCodes(requests: OracleRequest[]): string[] {
  return requests.map(oracleCode);
}
