import { Injectable } from '@nestjs/common';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { MfaPattern } from '@twostep/contracts';
import { MfaClient } from '../mfa-client/mfa-client.service';

/**
 * appwrite-api.md 5.1, exactly:
 *
 *   hasMoreFactors = emailVerification || phoneVerification || (verified TOTP authenticator)
 *   minimumFactors = (user.mfa && hasMoreFactors) ? 2 : 1
 *   a session with fewer than minimumFactors factors is not a full session
 *
 * computed lazily, cheapest question first; `totpVerified` is only asked when the answer depends on it.
 */
export async function meetsFactorMinimum(
  user: Pick<UserEntity, 'mfa' | 'emailVerification' | 'phoneVerification'>,
  session: Pick<SessionEntity, 'factors'>,
  totpVerified: () => Promise<boolean>,
): Promise<boolean> {
  const count = session.factors.length;
  if (!user.mfa || count >= 2) return true;
  const hasMoreFactors = user.emailVerification || user.phoneVerification || (await totpVerified());
  const minimumFactors = hasMoreFactors ? 2 : 1;
  return count >= minimumFactors;
}

/** The MFA rule with mfa-service as the authority on TOTP; a failed RPC throws 503 (fail closed). */
@Injectable()
export class MfaRequirementService {
  constructor(private readonly mfa: MfaClient) {}

  /** True when `session` is a full session for `user` (no second factor missing). */
  isSatisfied(user: UserEntity, session: SessionEntity): Promise<boolean> {
    return meetsFactorMinimum(user, session, async () => (await this.mfa.send(MfaPattern.FactorsGet, { userId: user.id })).totp);
  }
}
