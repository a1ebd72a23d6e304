import type { ChallengeStateResponse, ChallengeView, FactorsResponse } from '@twostep/contracts';
import type { UserEntity } from '@twostep/auth-data-access';
import { formatDate } from '../common/dates';

/** Appwrite's MFAFactors model. */
export interface MfaFactorsModel {
  totp: boolean;
  phone: boolean;
  email: boolean;
  recoveryCode: boolean;
}

/** Appwrite's MFAChallenge model. */
export interface MfaChallengeModel {
  $id: string;
  $createdAt: string;
  userId: string;
  expire: string;
}

/** Beyond Appwrite: what an app may know about a challenge it created. Never a code or a secret. */
export interface MfaChallengeStateModel extends MfaChallengeModel {
  factor: string;
  status: ChallengeStateResponse['status'];
  attemptsLeft: number;
  delivery: { channel: string; status: string; reason: string; updatedAt: string } | null;
}

export interface MfaTypeModel {
  secret: string;
  uri: string;
}

export interface MfaRecoveryCodesModel {
  recoveryCodes: string[];
}

const date = (iso: string) => formatDate(new Date(iso));

/**
 * appwrite-api.md 2.10: email and phone count only with an address and a verified flag; TOTP and
 * recovery codes are mfa-service's answer.
 */
export function mfaFactorsModel(
  user: Pick<UserEntity, 'email' | 'emailVerification' | 'phone' | 'phoneVerification'>,
  factors: FactorsResponse,
): MfaFactorsModel {
  return {
    totp: factors.totp,
    phone: Boolean(user.phone) && user.phoneVerification,
    email: Boolean(user.email) && user.emailVerification,
    recoveryCode: factors.recoveryCode,
  };
}

export function mfaChallengeModel(c: ChallengeView): MfaChallengeModel {
  return { $id: c.id, $createdAt: date(c.createdAt), userId: c.userId, expire: date(c.expire) };
}

export function mfaChallengeStateModel(c: ChallengeStateResponse): MfaChallengeStateModel {
  return {
    ...mfaChallengeModel(c),
    factor: c.factor,
    status: c.status,
    attemptsLeft: c.attemptsLeft,
    delivery: c.delivery
      ? { channel: c.delivery.channel, status: c.delivery.status, reason: c.delivery.reason ?? '', updatedAt: date(c.delivery.updatedAt) }
      : null,
  };
}
