import { Inject, Injectable } from '@nestjs/common';
import { AppError, RecoveryCodesResponse } from '@twostep/contracts';
import { uniqueId } from '@twostep/crypto';
import { RecoveryCodeRepository, ReplaceWhen, UnusedRecoveryCode } from '@twostep/mfa-data-access';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { MfaSecrets } from '../core/mfa-secrets.service';
import { generateRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-code.format';

/**
 * Single-use recovery codes: a set of 10, each encrypted at rest (so it can be shown again) and
 * hashed with a key (to check a submitted one); a used code is marked by a conditional update and
 * never works again; regenerating voids the whole old set.
 */
@Injectable()
export class RecoveryCodesService {
  constructor(
    private readonly codes: RecoveryCodeRepository,
    private readonly secrets: MfaSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  /** A first set, or a new one once every code of the old set was used; 409 while unused codes exist. */
  async create(userId: string, enrollingSessionId: string | null = null): Promise<RecoveryCodesResponse> {
    const codes = await this.replace(userId, 'noneUnused', enrollingSessionId);
    if (!codes) throw new AppError('user_recovery_codes_already_exists');
    this.logger.info('recovery codes created', { userId });
    return { recoveryCodes: codes };
  }

  /** The unused codes, decrypted; 404 when there are none. */
  async get(userId: string): Promise<RecoveryCodesResponse> {
    const rows = await this.codes.listUnused(userId);
    if (rows.length === 0) throw new AppError('user_recovery_codes_not_found');
    return { recoveryCodes: rows.map((r) => this.secrets.decryptRecoveryCode(userId, r.codeEncrypted)) };
  }

  /** A new set; every code of the old one stops working. 404 when the user has no unused codes. */
  async regenerate(userId: string, enrollingSessionId: string | null = null): Promise<RecoveryCodesResponse> {
    const codes = await this.replace(userId, 'someUnused', enrollingSessionId);
    if (!codes) throw new AppError('user_recovery_codes_not_found');
    this.logger.info('recovery codes regenerated', { userId });
    return { recoveryCodes: codes };
  }

  /**
   * The unused code (of those read with the challenge) equal to `normalizedCode`, if any. Every unused
   * code is compared (in constant time), so timing does not tell which one matched.
   */
  findUnused(userId: string, unused: readonly UnusedRecoveryCode[], normalizedCode: string): UnusedRecoveryCode | undefined {
    let found: UnusedRecoveryCode | undefined;
    for (const row of unused) {
      if (this.secrets.recoveryCodeMatches(row.codeHash, userId, normalizedCode) && !found) found = row;
    }
    return found;
  }

  /** A new set stored in place of the old one if `when` holds (the repository checks it under a lock); null otherwise. */
  private async replace(userId: string, when: ReplaceWhen, enrollingSessionId: string | null): Promise<string[] | null> {
    const now = this.clock.now();
    const plain = Array.from({ length: RECOVERY_CODE_COUNT }, () => generateRecoveryCode());
    const replaced = await this.codes.replaceAll(
      userId,
      plain.map((code, position) => ({
        id: uniqueId(now.getTime()),
        position,
        codeHash: this.secrets.hashRecoveryCode(userId, code),
        codeEncrypted: this.secrets.encryptRecoveryCode(userId, code),
      })),
      now,
      when,
      enrollingSessionId,
    );
    return replaced ? plain : null;
  }
}
