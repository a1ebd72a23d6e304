import { z } from 'zod';
import { datetime, id } from './common';

/** Appwrite's MFAFactors model: which factors the user can complete a challenge with. */
export const MfaFactorsModel = z.strictObject({
  totp: z.boolean().meta({ description: 'Can TOTP be used for MFA challenge for this account.' }),
  phone: z.boolean().meta({ description: 'Can phone (SMS) be used for MFA challenge for this account.' }),
  email: z.boolean().meta({ description: 'Can email be used for MFA challenge for this account.' }),
  recoveryCode: z.boolean().meta({ description: 'Can recovery code be used for MFA challenge for this account.' }),
});

/** Appwrite's MFAChallenge model: never the code or the factor. */
export const MfaChallengeModel = z.strictObject({
  $id: id('Challenge ID.'),
  $createdAt: datetime('Challenge creation date in ISO 8601 format.'),
  userId: id('User ID.'),
  expire: datetime('Challenge expiration date in ISO 8601 format.'),
});

/** Beyond Appwrite: the state of a challenge the caller created ("the SMS failed, try email"). */
export const MfaChallengeStateModel = z.strictObject({
  ...MfaChallengeModel.shape,
  factor: z.enum(['email', 'phone', 'totp', 'recoveryCode']).meta({ description: 'The factor of the challenge.' }),
  status: z
    .enum(['pending', 'delivered', 'delivery_failed', 'expired', 'exhausted', 'consumed'])
    .meta({ description: 'Where the challenge stands.' }),
  attemptsLeft: z.number().int().min(0).meta({ description: 'Wrong codes the challenge still takes.' }),
  delivery: z
    .strictObject({
      channel: z.enum(['email', 'sms']),
      status: z.enum(['queued', 'sent', 'failed', 'dropped']),
      reason: z.string().meta({ description: 'Classified failure reason (`invalid_destination`, ...), `""` when none.' }),
      updatedAt: datetime('Last delivery update in ISO 8601 format.'),
    })
    .nullable()
    .meta({ description: 'The delivery of the code (email and phone challenges), or null.' }),
});

/** Appwrite's MFAType model: a new TOTP authenticator. */
export const MfaTypeModel = z.strictObject({
  secret: z.string().meta({ description: 'The base32 TOTP secret (shown once, at enrolment).' }),
  uri: z.string().meta({ description: 'The `otpauth://totp/...` URI for an authenticator app or a QR code.' }),
});

/** Appwrite's MFARecoveryCodes model. */
export const MfaRecoveryCodesModel = z.strictObject({
  recoveryCodes: z.array(z.string()).meta({ description: 'Recovery codes.' }),
});
