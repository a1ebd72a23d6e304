import { Sql } from '@twostep/persistence';
import { RecoveryCodeEntity } from '../entities/recovery-code.entity';

export interface NewRecoveryCode {
  id: string;
  position: number;
  codeHash: string;
  codeEncrypted: string;
}

/** When a new set may replace the stored one: `create` only if no unused code is left, `regenerate` only if some are. */
export type ReplaceWhen = 'noneUnused' | 'someUnused';

export class RecoveryCodeRepository {
  constructor(private readonly sql: Sql) {}

  async countUnused(userId: string): Promise<number> {
    const rows = await this.sql.rows<{ n: number }>(
      'SELECT count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  async listUnused(userId: string): Promise<RecoveryCodeEntity[]> {
    const rows = await this.sql.rows(
      `SELECT id, user_id, position, code_hash, code_encrypted, created_at, used_at, enrolled_session_id
         FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY position ASC`,
      [userId],
    );
    return rows.map((r) =>
      Object.assign(new RecoveryCodeEntity(), {
        id: r.id,
        userId: r.user_id,
        position: Number(r.position),
        codeHash: r.code_hash,
        codeEncrypted: r.code_encrypted,
        createdAt: r.created_at,
        usedAt: r.used_at,
        enrolledSessionId: r.enrolled_session_id ?? null,
      } as RecoveryCodeEntity),
    );
  }

  /**
   * Voids every code of the user (used or not) and stores the new set, if `when` holds; returns false
   * (and changes nothing) otherwise. One transaction under a per-user lock, so two concurrent
   * create/regenerate calls for one user run one after the other and at most one set survives.
   */
  async replaceAll(
    userId: string,
    codes: NewRecoveryCode[],
    now: Date,
    when: ReplaceWhen,
    enrollingSessionId: string | null = null,
  ): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      await tx.rows('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`mfa-recovery-codes:${userId}`]);
      const [{ n }] = await tx.rows<{ n: number }>(
        'SELECT count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NULL',
        [userId],
      );
      if ((when === 'noneUnused') !== (n === 0)) return false;
      await tx.count('DELETE FROM mfa.recovery_codes WHERE user_id = $1', [userId]);
      await tx.count(
        `INSERT INTO mfa.recovery_codes (id, user_id, position, code_hash, code_encrypted, created_at, used_at, enrolled_session_id)
         SELECT c.id, $1, c.position, c.code_hash, c.code_encrypted, $2, NULL, $3
           FROM unnest($4::varchar[], $5::int[], $6::text[], $7::text[]) AS c(id, position, code_hash, code_encrypted)`,
        [
          userId,
          now,
          enrollingSessionId,
          codes.map((c) => c.id),
          codes.map((c) => c.position),
          codes.map((c) => c.codeHash),
          codes.map((c) => c.codeEncrypted),
        ],
      );
      return true;
    });
  }
}
