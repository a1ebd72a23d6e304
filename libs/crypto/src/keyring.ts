import { createHash } from 'node:crypto';

export interface Key {
  id: string;
  material: Buffer;
}

/** A set of 256-bit keys: `active` seals/encrypts, every key opens/decrypts (key rotation). */
export interface Keyring {
  active: Key;
  byId: ReadonlyMap<string, Key>;
}

/** A 256-bit key as configured: 64 hex characters or base64/base64url (43 characters, `=` optional); else undefined. */
export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const buf = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return buf.length === 32 ? buf : undefined;
  }
  return undefined;
}

function decode(value: string): Buffer {
  const key = decodeKey(value);
  if (!key) throw new Error('a key must be 32 bytes (64 hex characters or base64)');
  return key;
}

/** Parses `key` or `kid1:key1,kid2:key2`. A bare key gets an id derived from its hash (not secret). */
export function parseKeyring(spec: string): Keyring {
  const keys: Key[] = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const idx = entry.indexOf(':');
      if (idx > 0) return { id: entry.slice(0, idx), material: decode(entry.slice(idx + 1)) };
      const material = decode(entry);
      return { id: createHash('sha256').update('twostep-kid').update(material).digest('hex').slice(0, 8), material };
    });
  if (keys.length === 0) throw new Error('empty keyring');
  return { active: keys[0], byId: new Map(keys.map((k) => [k.id, k])) };
}
