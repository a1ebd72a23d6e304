import { meetsFactorMinimum } from './mfa-requirement.service';

const user = (mfa: boolean, emailVerification = false, phoneVerification = false) => ({ mfa, emailVerification, phoneVerification });
const totp = (answer: boolean) => {
  const fn = jest.fn(async () => answer);
  return fn;
};

describe('the MFA rule of appwrite-api.md 5.1', () => {
  it('lets a one-factor session through when the user has not turned MFA on, without asking about TOTP', async () => {
    const ask = totp(true);
    expect(await meetsFactorMinimum(user(false, true, true), { factors: ['password'] }, ask)).toBe(true);
    expect(ask).not.toHaveBeenCalled();
  });

  it('lets a two-factor session through without asking about TOTP', async () => {
    const ask = totp(true);
    expect(await meetsFactorMinimum(user(true, true), { factors: ['password', 'totp'] }, ask)).toBe(true);
    expect(ask).not.toHaveBeenCalled();
  });

  it('requires a second factor when MFA is on and the email is verified, without asking about TOTP', async () => {
    const ask = totp(false);
    expect(await meetsFactorMinimum(user(true, true), { factors: ['password'] }, ask)).toBe(false);
    expect(ask).not.toHaveBeenCalled();
  });

  it('requires a second factor when MFA is on and only the phone is verified', async () => {
    expect(await meetsFactorMinimum(user(true, false, true), { factors: ['password'] }, totp(false))).toBe(false);
  });

  it('asks about TOTP only when MFA is on and neither address is verified, and follows the answer', async () => {
    const yes = totp(true);
    expect(await meetsFactorMinimum(user(true), { factors: ['password'] }, yes)).toBe(false);
    expect(yes).toHaveBeenCalledTimes(1);
    expect(await meetsFactorMinimum(user(true), { factors: ['password'] }, totp(false))).toBe(true);
  });

  it('counts entries, not distinct kinds of factor (Appwrite counts the list)', async () => {
    expect(await meetsFactorMinimum(user(true, true), { factors: ['email', 'oauth2'] }, totp(true))).toBe(true);
  });

  it('propagates a failed TOTP lookup (the guard turns it into 503, never a pass)', async () => {
    await expect(
      meetsFactorMinimum(user(true), { factors: ['password'] }, async () => Promise.reject(new Error('rpc down'))),
    ).rejects.toThrow('rpc down');
  });
});
