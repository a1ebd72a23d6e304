'use strict';
// RFC 4226 / RFC 6238 TOTP (SHA-1, 6 digits, 30 s) with node:crypto: cheap enough that the load generator
// can compute a code per request without skewing the figures. Checked against the RFC 6238 vector at load.
const { createHmac } = require('node:crypto');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(input) {
  const clean = String(input).toUpperCase().replace(/=+$/g, '').replace(/\s+/g, '');
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac('sha1', key).update(msg).digest();
  const off = h[h.length - 1] & 0x0f;
  const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

const PERIOD = 30;
/** the current 30-s time step */
function stepNow(nowMs = Date.now()) {
  return Math.floor(nowMs / 1000 / PERIOD);
}
/** ms until the next step starts */
function msToNextStep(nowMs = Date.now()) {
  return (stepNow(nowMs) + 1) * PERIOD * 1000 - nowMs;
}
/** code for a base32 secret (or a key Buffer) at a time step */
function totpAt(secret, step) {
  const key = Buffer.isBuffer(secret) ? secret : base32Decode(secret);
  return hotp(key, step);
}

// RFC 6238 appendix B, SHA-1: secret "12345678901234567890", T = 59 s -> 94287082 (8 digits)
if (hotp(Buffer.from('12345678901234567890'), 1, 8) !== '94287082') throw new Error('TOTP self-check failed');

module.exports = { base32Decode, hotp, totpAt, stepNow, msToNextStep, PERIOD };
