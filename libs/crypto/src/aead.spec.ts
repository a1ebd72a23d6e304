import { decryptAtRest, DecryptionError, encryptAtRest, keyIdOf, open, seal } from './aead';
import { parseKeyring } from './keyring';
import { constantTimeEqual, keyedHash } from './hashing';
import { randomDigits, uniqueId } from './random';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('hex');

describe('sealed job payloads', () => {
  it('round-trips a value and never contains the plaintext', () => {
    const ring = parseKeyring(k1);
    const box = seal({ destination: 'alice@example.com', code: '123456' }, ring, 'otp-delivery');
    expect(JSON.stringify(box)).not.toContain('alice');
    expect(JSON.stringify(box)).not.toContain('123456');
    expect(open(box, ring, 'otp-delivery')).toEqual({ destination: 'alice@example.com', code: '123456' });
  });

  it('refuses a box opened in another context or tampered with', () => {
    const ring = parseKeyring(k1);
    const box = seal({ a: 1 }, ring, 'otp-delivery');
    expect(() => open(box, ring, 'security-notices')).toThrow(DecryptionError);
    const flipped = {
      ...box,
      ct: Buffer.from(Buffer.from(box.ct, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url'),
    };
    expect(() => open(flipped, ring, 'otp-delivery')).toThrow(DecryptionError);
  });

  it('opens boxes sealed with an older key of the ring after rotation', () => {
    const old = parseKeyring(`old:${k1}`);
    const box = seal('x', old, 'c');
    const rotated = parseKeyring(`new:${k2},old:${k1}`);
    expect(open(box, rotated, 'c')).toBe('x');
    expect(seal('y', rotated, 'c').kid).toBe('new');
  });
});

describe('encryption at rest', () => {
  it('binds the ciphertext to its row context and records the key id', () => {
    const ring = parseKeyring(`a:${k1}`);
    const stored = encryptAtRest('JBSWY3DPEHPK3PXP', ring, 'totp:user1');
    expect(keyIdOf(stored)).toBe('a');
    expect(decryptAtRest(stored, ring, 'totp:user1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => decryptAtRest(stored, ring, 'totp:user2')).toThrow(DecryptionError);
  });
});

describe('hashing and randomness', () => {
  it('keyed hash separates its parts', () => {
    const key = Buffer.alloc(32, 3);
    expect(keyedHash(key, 'ab', 'c')).not.toBe(keyedHash(key, 'a', 'bc'));
    expect(keyedHash(key, 'a')).not.toBe(keyedHash(Buffer.alloc(32, 4), 'a'));
  });

  it('compares in constant time and still tells strings apart', () => {
    expect(constantTimeEqual('123456', '123456')).toBe(true);
    expect(constantTimeEqual('123456', '123457')).toBe(false);
    expect(constantTimeEqual('123456', '1234567')).toBe(false);
  });

  it('makes codes of the requested length from digits only', () => {
    for (let i = 0; i < 200; i++) expect(randomDigits(6)).toMatch(/^[0-9]{6}$/);
  });

  it('makes 20-character hex ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => uniqueId()));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{20}$/);
  });
});
