import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Sealed, SealedBox } from '@twostep/contracts';
import { Key, Keyring } from './keyring';

const ALG = 'aes-256-gcm';

/** Subkeys already derived, per master key object and purpose (derivation is on every encrypt/decrypt). */
const derived = new WeakMap<Buffer, Map<string, Buffer>>();

/** A purpose-bound subkey, so one master key never encrypts two kinds of data directly. */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  let byPurpose = derived.get(master);
  if (!byPurpose) {
    byPurpose = new Map();
    derived.set(master, byPurpose);
  }
  let key = byPurpose.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `twostep:${purpose}`, 32));
    byPurpose.set(purpose, key);
  }
  return key;
}

export class DecryptionError extends Error {
  constructor(message = 'ciphertext could not be opened') {
    super(message);
    this.name = 'DecryptionError';
  }
}

function lookup(keyring: Keyring, kid: string): Key {
  const key = keyring.byId.get(kid);
  if (!key) throw new DecryptionError(`unknown key id ${kid}`);
  return key;
}

function encrypt(key: Buffer, plaintext: Buffer, aad: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALG, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ct, tag: cipher.getAuthTag() };
}

function decrypt(key: Buffer, iv: Buffer, ct: Buffer, tag: Buffer, aad: string): Buffer {
  try {
    const decipher = createDecipheriv(ALG, key, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

const b64u = (b: Buffer) => b.toString('base64url');
const unb64u = (s: string) => Buffer.from(s, 'base64url');

/**
 * Seals a JSON value for a queue payload. `context` (e.g. the queue and job name) is bound as
 * associated data: a box sealed for one context does not open in another.
 */
export function seal<T>(value: T, keyring: Keyring, context: string): Sealed<T> {
  const key = deriveKey(keyring.active.material, 'queue-seal');
  const { iv, ct, tag } = encrypt(key, Buffer.from(JSON.stringify(value)), `${context}|${keyring.active.id}`);
  return { v: 1, kid: keyring.active.id, iv: b64u(iv), tag: b64u(tag), ct: b64u(ct) };
}

export function open<T>(box: Sealed<T> | SealedBox, keyring: Keyring, context: string): T {
  if (!box || box.v !== 1) throw new DecryptionError('unsupported sealed box');
  const key = deriveKey(lookup(keyring, box.kid).material, 'queue-seal');
  const plain = decrypt(key, unb64u(box.iv), unb64u(box.ct), unb64u(box.tag), `${context}|${box.kid}`);
  return JSON.parse(plain.toString('utf8')) as T;
}

/**
 * Encrypts a secret for storage at rest: `v1.<kid>.<iv>.<tag>.<ct>`. `context` binds it to its row
 * (e.g. `totp:<userId>`), so a ciphertext copied to another row does not decrypt.
 */
export function encryptAtRest(plaintext: string, keyring: Keyring, context: string): string {
  const key = deriveKey(keyring.active.material, 'at-rest');
  const { iv, ct, tag } = encrypt(key, Buffer.from(plaintext, 'utf8'), context);
  return ['v1', keyring.active.id, b64u(iv), b64u(tag), b64u(ct)].join('.');
}

export function decryptAtRest(stored: string, keyring: Keyring, context: string): string {
  const parts = stored.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new DecryptionError('unsupported ciphertext format');
  const [, kid, iv, tag, ct] = parts;
  const key = deriveKey(lookup(keyring, kid).material, 'at-rest');
  return decrypt(key, unb64u(iv), unb64u(ct), unb64u(tag), context).toString('utf8');
}

/** The key id a stored ciphertext was made with (to find rows that need re-encryption after rotation). */
export function keyIdOf(stored: string): string | undefined {
  const parts = stored.split('.');
  return parts.length === 5 ? parts[1] : undefined;
}
