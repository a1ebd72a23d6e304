import { Inject, Injectable } from '@nestjs/common';
import { constantTimeEqual, decryptAtRest, deriveKey, encryptAtRest, keyedHash, Keyring } from '@twostep/crypto';
import { MFA_KEYRING } from './tokens';

type HashPurpose = 'challenge-code' | 'recovery-code';

/**
 * Everything mfa-service does with MFA_ENCRYPTION_KEY, in one place:
 *  - TOTP secrets and recovery codes are encrypted at rest (AES-256-GCM, key id, bound to the user);
 *  - challenge codes and recovery codes are stored as HMAC-SHA-256 under a purpose-derived key,
 *    bound to the challenge or the user, written `<key id>.<hex>` so they still verify after the
 *    keyring rotates.
 */
@Injectable()
export class MfaSecrets {
  private readonly hashKeys = new Map<string, Buffer>();

  constructor(@Inject(MFA_KEYRING) private readonly keyring: Keyring) {}

  encryptTotpSecret(userId: string, secret: string): string {
    return encryptAtRest(secret, this.keyring, `totp:${userId}`);
  }

  decryptTotpSecret(userId: string, stored: string): string {
    return decryptAtRest(stored, this.keyring, `totp:${userId}`);
  }

  encryptRecoveryCode(userId: string, code: string): string {
    return encryptAtRest(code, this.keyring, `recovery-code:${userId}`);
  }

  decryptRecoveryCode(userId: string, stored: string): string {
    return decryptAtRest(stored, this.keyring, `recovery-code:${userId}`);
  }

  hashChallengeCode(challengeId: string, code: string): string {
    return this.hash('challenge-code', challengeId, code);
  }

  challengeCodeMatches(stored: string, challengeId: string, code: string): boolean {
    return this.matches(stored, 'challenge-code', challengeId, code);
  }

  hashRecoveryCode(userId: string, code: string): string {
    return this.hash('recovery-code', userId, code);
  }

  recoveryCodeMatches(stored: string, userId: string, code: string): boolean {
    return this.matches(stored, 'recovery-code', userId, code);
  }

  private hash(purpose: HashPurpose, binding: string, value: string): string {
    const kid = this.keyring.active.id;
    return `${kid}.${keyedHash(this.hashKey(purpose, kid), purpose, binding, value)}`;
  }

  private matches(stored: string, purpose: HashPurpose, binding: string, value: string): boolean {
    const dot = stored.lastIndexOf('.');
    const kid = dot > 0 ? stored.slice(0, dot) : '';
    if (!this.keyring.byId.has(kid)) return false;
    return constantTimeEqual(stored.slice(dot + 1), keyedHash(this.hashKey(purpose, kid), purpose, binding, value));
  }

  private hashKey(purpose: HashPurpose, kid: string): Buffer {
    const cacheKey = `${purpose}|${kid}`;
    let key = this.hashKeys.get(cacheKey);
    if (!key) {
      const material = this.keyring.byId.get(kid)?.material;
      if (!material) throw new Error('unknown key id');
      key = deriveKey(material, `mfa-${purpose}-hash`);
      this.hashKeys.set(cacheKey, key);
    }
    return key;
  }
}
