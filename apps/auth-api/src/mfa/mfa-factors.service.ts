import { Injectable } from '@nestjs/common';
import type { UserEntity } from '@twostep/auth-data-access';
import { FactorsResponse, MfaFactor, MfaPattern } from '@twostep/contracts';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { MfaFactorsModel, mfaFactorsModel } from './mfa.models';

/** The user's factors, from the two owners: auth-api (email, phone) and mfa-service (TOTP, recovery codes). */
@Injectable()
export class MfaFactorsService {
  constructor(private readonly mfa: MfaClient) {}

  private fromMfaService(userId: string): Promise<FactorsResponse> {
    return this.mfa.send(MfaPattern.FactorsGet, { userId });
  }

  async list(user: UserEntity): Promise<MfaFactorsModel> {
    return mfaFactorsModel(user, await this.fromMfaService(user.id));
  }

  /**
   * The second factors the user has verified (what enabling MFA adds to the current session,
   * appwrite-api.md 2.9): a verified authenticator, a verified email, a verified phone.
   */
  async verifiedSecondFactors(user: UserEntity): Promise<MfaFactor[]> {
    const factors = await this.list(user);
    return (['totp', 'email', 'phone'] as const).filter((f) => factors[f]);
  }
}
