import { AppError } from '../errors/error-catalog';
import { MfaPattern } from './mfa-patterns';
import { rpcContracts } from './mfa-rpc.schema';
import { parseRpcRequest } from './rpc-params';

function failure(pattern: MfaPattern, data: unknown): { type: string; message: string } {
  try {
    parseRpcRequest(pattern, data);
  } catch (error) {
    if (error instanceof AppError) return { type: error.type, message: error.message };
    throw error;
  }
  throw new Error('parsed');
}

describe('mfa.v1.* request schemas', () => {
  it('applies one id rule per kind: user and session ids are UIDs (36), challenge ids are generated ids (20 hex)', () => {
    const u36 = 'a'.repeat(36);
    expect(parseRpcRequest(MfaPattern.FactorsGet, { userId: u36 })).toEqual({ userId: u36 });
    expect(failure(MfaPattern.FactorsGet, { userId: 'a'.repeat(37) })).toMatchObject({
      type: 'general_argument_invalid',
      message: expect.stringMatching(/^Invalid `userId` param: Parameter must contain at most 36 chars/),
    });
    expect(failure(MfaPattern.ChallengeCreate, { userId: 'u', sessionId: '../s', factor: 'totp' }).message).toMatch(
      /^Invalid `sessionId` param/,
    );
    // a challenge id that cannot name a challenge is answered like an unknown one
    for (const challengeId of ['abc', '../sms', 'F'.repeat(20), 'f'.repeat(21)])
      expect(failure(MfaPattern.ChallengeGet, { userId: 'u', challengeId }).type).toBe('user_invalid_token');
    expect(parseRpcRequest(MfaPattern.ChallengeGet, { userId: 'u', challengeId: 'f'.repeat(20) })).toEqual({
      userId: 'u',
      challengeId: 'f'.repeat(20),
    });
  });

  it('answers a missing or non-object payload with Appwrite messages', () => {
    expect(failure(MfaPattern.FactorsGet, null)).toEqual({ type: 'general_argument_invalid', message: 'Param "payload" is not optional.' });
    expect(failure(MfaPattern.FactorsGet, {})).toEqual({ type: 'general_argument_invalid', message: 'Param "userId" is not optional.' });
  });

  it('canonicalises the factor, requires a checked delivery block for email and phone, and cleans display texts', () => {
    const base = { userId: 'u', sessionId: 's' };
    expect(parseRpcRequest(MfaPattern.ChallengeCreate, { ...base, factor: 'RecoveryCode', delivery: null })).toEqual({
      ...base,
      factor: 'recoveryCode',
    });
    expect(failure(MfaPattern.ChallengeCreate, { ...base, factor: 'email' }).message).toMatch(/^Invalid `delivery` param/);
    const delivery = {
      destination: 'A@B.co',
      locale: 'en',
      projectName: 'X',
      userName: ' Eve\r\n ',
      requester: { clientName: 'Fire\u0000fox' },
    };
    expect(parseRpcRequest(MfaPattern.ChallengeCreate, { ...base, factor: 'email', delivery })).toEqual({
      ...base,
      factor: 'email',
      delivery: { destination: 'a@b.co', locale: 'en', projectName: 'X', userName: 'Eve', requester: { clientName: 'Firefox' } },
    });
    expect(
      failure(MfaPattern.ChallengeCreate, { ...base, factor: 'phone', delivery: { ...delivery, destination: 'a@b.co' } }).message,
    ).toMatch(/^Invalid `delivery.destination` param: Phone number/);
  });

  it('answers a malformed code like a wrong one, and a code of the wrong type as a bad argument', () => {
    const req = { userId: 'u', sessionId: 's', challengeId: 'f'.repeat(20) };
    for (const otp of ['', '12345', ' 123456', '١٢٣٤٥٦', 'x'.repeat(300)])
      expect(failure(MfaPattern.ChallengeVerify, { ...req, otp }).type).toBe('user_invalid_token');
    expect(parseRpcRequest(MfaPattern.ChallengeVerify, { ...req, otp: ' ABCD-ef01 2345 6789 ' }).otp).toBe(' ABCD-ef01 2345 6789 ');
    expect(failure(MfaPattern.ChallengeVerify, { ...req, otp: 123456 }).type).toBe('general_argument_invalid');
    expect(failure(MfaPattern.TotpVerify, { userId: 'u', otp: 'deadbeefdeadbeef' }).type).toBe('user_invalid_token');
  });

  it('refuses colons and control characters in otpauth label parts', () => {
    for (const accountName of ['', ' ', 'a:b', 'a\r\nb', 'x'.repeat(321)])
      expect(failure(MfaPattern.TotpCreate, { userId: 'u', accountName, issuer: 'X' }).type).toBe('general_argument_invalid');
  });
});

describe('mfa.v1.* reply schemas', () => {
  it('accepts what mfa-service answers and refuses a malformed reply', () => {
    const view = { id: 'f'.repeat(20), createdAt: '2031-03-04T05:06:10.000Z', userId: 'u', expire: '2031-03-04T05:21:10.000Z' };
    expect(rpcContracts[MfaPattern.ChallengeCreate].reply.parse(view)).toEqual(view);
    expect(rpcContracts[MfaPattern.ChallengeCreate].reply.safeParse({ ...view, expire: 'soon' }).success).toBe(false);
    expect(rpcContracts[MfaPattern.FactorsGet].reply.safeParse({ totp: 'yes', recoveryCode: false }).success).toBe(false);
    expect(rpcContracts[MfaPattern.RecoveryCodesGet].reply.safeParse({ recoveryCodes: ['0123456789abcdef'] }).success).toBe(true);
    expect(rpcContracts[MfaPattern.RecoveryCodesGet].reply.safeParse({ recoveryCodes: ['<script>'] }).success).toBe(false);
  });
});
