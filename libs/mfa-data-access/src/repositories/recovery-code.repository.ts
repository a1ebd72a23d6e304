import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RecoveryCodeEntity } from '../entities/recovery-code.entity';
import { advisoryXactLock, mutate, Queryable, selectRows } from './sql';

export interface NewRecoveryCode {
  id: string;
  position: number;
  codeHash: string;
  codeEncrypted: string;
}

export class RecoveryCodeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction holding a per-user lock, so that two concurrent create/regenerate
   * calls for one user run one after the other.
   */
  withUserLock<T>(userId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await advisoryXactLock(manager, `mfa-recovery-codes:${userId}`);
      return work(manager);
    });
  }

  async countUnused(userId: string, db: Queryable = this.dataSource): Promise<number> {
    const rows = await selectRows<{ n: number }>(
      db,
      'SELECT count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  listUnused(userId: string): Promise<RecoveryCodeEntity[]> {
    return this.dataSource.getRepository(RecoveryCodeEntity).find({ where: { userId, usedAt: IsNull() }, order: { position: 'ASC' } });
  }

  /** Voids every code of the user (used or not) and stores the new set. */
  async replaceAll(
    db: Queryable,
    userId: string,
    codes: NewRecoveryCode[],
    now: Date,
    enrollingSessionId: string | null = null,
  ): Promise<void> {
    await mutate(db, 'DELETE FROM mfa.recovery_codes WHERE user_id = $1', [userId]);
    for (const c of codes) {
      await db.query(
        `INSERT INTO mfa.recovery_codes (id, user_id, position, code_hash, code_encrypted, created_at, used_at, enrolled_session_id)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)`,
        [c.id, userId, c.position, c.codeHash, c.codeEncrypted, now, enrollingSessionId],
      );
    }
  }

  async deleteForUser(userId: string, db: Queryable = this.dataSource): Promise<void> {
    await mutate(db, 'DELETE FROM mfa.recovery_codes WHERE user_id = $1', [userId]);
  }
}
