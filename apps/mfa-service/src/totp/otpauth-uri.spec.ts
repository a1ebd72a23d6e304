import { otpauthUri } from './otpauth-uri';
import { generateTotpSecret, totpKey } from './totp-algorithm';

describe('otpauth URI (Key Uri Format)', () => {
  it('puts the issuer in the label and as a parameter and states SHA1, 6 digits and 30 s', () => {
    expect(otpauthUri('Example', 'alice@google.com', 'JBSWY3DPEHPK3PXP')).toBe(
      'otpauth://totp/Example:alice%40google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('URI-encodes both label parts and the issuer parameter', () => {
    const uri = otpauthUri('My App & Co', 'bob+mfa@example.com', 'JBSWY3DPEHPK3PXP');
    expect(uri.startsWith('otpauth://totp/My%20App%20%26%20Co:bob%2Bmfa%40example.com?')).toBe(true);
    const parsed = new URL(uri);
    expect(parsed.searchParams.get('issuer')).toBe('My App & Co');
    expect(decodeURIComponent(parsed.pathname.replace(/^\/\//, ''))).toContain('My App & Co:bob+mfa@example.com');
  });

  it('carries a generated secret of at least 20 bytes without padding', () => {
    const secret = generateTotpSecret();
    const uri = new URL(otpauthUri('Twostep', 'carol@example.com', secret));
    const carried = uri.searchParams.get('secret')!;
    expect(carried).toBe(secret);
    expect(carried).not.toContain('=');
    expect(totpKey(carried).length).toBeGreaterThanOrEqual(20);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });

  it('refuses label parts that contain a colon', () => {
    expect(() => otpauthUri('Evil:Issuer', 'a@b.c', 'JBSWY3DPEHPK3PXP')).toThrow();
    expect(() => otpauthUri('Issuer', 'a:b', 'JBSWY3DPEHPK3PXP')).toThrow();
  });
});
