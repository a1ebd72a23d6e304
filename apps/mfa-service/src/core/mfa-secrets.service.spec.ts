import { parseKeyring } from '@twostep/crypto';
import { MfaSecrets } from './mfa-secrets.service';

const k1 = Buffer.alloc(32, 7).toString('base64');
const k2 = Buffer.alloc(32, 9).toString('base64');

describe('MFA secrets', () => {
  it('stores challenge codes as keyed hashes bound to the challenge, never the code itself', () => {
    const secrets = new MfaSecrets(parseKeyring(`a:${k1}`));
    const stored = secrets.hashChallengeCode('challenge1', '123456');
    expect(stored).toMatch(/^a\.[0-9a-f]{64}$/);
    expect(stored).not.toContain('123456');
    expect(secrets.challengeCodeMatches(stored, 'challenge1', '123456')).toBe(true);
    expect(secrets.challengeCodeMatches(stored, 'challenge1', '123457')).toBe(false);
    expect(secrets.challengeCodeMatches(stored, 'challenge2', '123456')).toBe(false);
  });

  it('keeps purposes apart: a challenge-code hash is not a recovery-code hash', () => {
    const secrets = new MfaSecrets(parseKeyring(`a:${k1}`));
    expect(secrets.recoveryCodeMatches(secrets.hashChallengeCode('u1', 'x'), 'u1', 'x')).toBe(false);
  });

  it('still verifies hashes made with an older key after rotation, and refuses unknown key ids', () => {
    const before = new MfaSecrets(parseKeyring(`old:${k1}`));
    const stored = before.hashRecoveryCode('user1', '0123456789abcdef');
    const after = new MfaSecrets(parseKeyring(`new:${k2},old:${k1}`));
    expect(after.recoveryCodeMatches(stored, 'user1', '0123456789abcdef')).toBe(true);
    expect(after.hashRecoveryCode('user1', '0123456789abcdef').startsWith('new.')).toBe(true);
    expect(new MfaSecrets(parseKeyring(`other:${k2}`)).recoveryCodeMatches(stored, 'user1', '0123456789abcdef')).toBe(false);
  });

  it('binds encrypted TOTP secrets to their user', () => {
    const secrets = new MfaSecrets(parseKeyring(`a:${k1}`));
    const stored = secrets.encryptTotpSecret('user1', 'JBSWY3DPEHPK3PXP');
    expect(stored).not.toContain('JBSWY3DPEHPK3PXP');
    expect(secrets.decryptTotpSecret('user1', stored)).toBe('JBSWY3DPEHPK3PXP');
    expect(() => secrets.decryptTotpSecret('user2', stored)).toThrow();
  });
});
