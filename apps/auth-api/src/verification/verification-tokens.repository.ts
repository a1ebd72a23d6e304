import { Injectable } from '@nestjs/common';
import { VerificationKind, VerificationTokenEntity } from '@twostep/auth-data-access';
import { Sql, SqlRunner } from '@twostep/persistence';

const COLUMNS = 'id, user_id, kind, secret_hash, key_id, destination_hash, attempts, state, expire, consumed_at, created_at';

function toToken(row: Record<string, unknown>): VerificationTokenEntity {
  const t = new VerificationTokenEntity();
  t.id = row.id as string;
  t.userId = row.user_id as string;
  t.kind = row.kind as VerificationKind;
  t.secretHash = row.secret_hash as string;
  t.keyId = row.key_id as string;
  t.destinationHash = row.destination_hash as string;
  t.attempts = row.attempts as number;
  t.state = row.state as VerificationTokenEntity['state'];
  t.expire = row.expire as Date;
  t.consumedAt = (row.consumed_at as Date | null) ?? null;
  t.createdAt = row.created_at as Date;
  return t;
}

/**
 * The `verification_tokens` table. Every state change is one conditional UPDATE whose row count
 * decides the outcome, so concurrent requests cannot use a token twice or exceed its attempts.
 */
@Injectable()
export class VerificationTokensRepository {
  constructor(private readonly db: Sql) {}

  /**
   * In one transaction: locks the user row (serialises concurrent requests of one user), marks the
   * user's open token of this kind superseded, forgets finished or expired tokens, and inserts `token`.
   * Returns the ids of superseded tokens.
   */
  async replaceOpen(token: VerificationTokenEntity, now: Date): Promise<string[]> {
    return this.db.transaction(async (tx: SqlRunner) => {
      const locked = await tx.rows('SELECT id FROM users WHERE id = $1 FOR UPDATE', [token.userId]);
      if (locked.length === 0) return [];
      const superseded = await tx.rows<{ id: string }>(
        `UPDATE verification_tokens SET state = 'superseded' WHERE user_id = $1 AND kind = $2 AND state = 'open' RETURNING id`,
        [token.userId, token.kind],
      );
      await tx.rows(`DELETE FROM verification_tokens WHERE user_id = $1 AND kind = $2 AND (state <> 'open' OR expire <= $3)`, [
        token.userId,
        token.kind,
        now,
      ]);
      await tx.rows(`INSERT INTO verification_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
        token.id,
        token.userId,
        token.kind,
        token.secretHash,
        token.keyId,
        token.destinationHash,
        token.attempts,
        token.state,
        token.expire,
        token.consumedAt,
        token.createdAt,
      ]);
      return superseded.map((r) => r.id);
    });
  }

  /** The user's open, unexpired token of this kind. */
  async findOpen(userId: string, kind: VerificationKind, now: Date): Promise<VerificationTokenEntity | undefined> {
    const rows = await this.db.rows(
      `SELECT ${COLUMNS} FROM verification_tokens WHERE user_id = $1 AND kind = $2 AND state = 'open' AND expire > $3`,
      [userId, kind, now],
    );
    return rows[0] ? toToken(rows[0]) : undefined;
  }

  /**
   * Reserves one attempt on an open token: true when the attempt may be evaluated (the token was open,
   * unexpired and under `maxAttempts`). The attempt that reaches the limit burns the token for later ones.
   */
  async reserveAttempt(tokenId: string, maxAttempts: number, now: Date): Promise<VerificationTokenEntity | undefined> {
    const rows = await this.db.rows(
      `UPDATE verification_tokens SET attempts = attempts + 1,
         state = CASE WHEN attempts + 1 >= $2 THEN 'exhausted' ELSE state END
       WHERE id = $1 AND state = 'open' AND attempts < $2 AND expire > $3 RETURNING ${COLUMNS}`,
      [tokenId, maxAttempts, now],
    );
    return rows[0] ? toToken(rows[0]) : undefined;
  }

  /**
   * Consumes a token once (single use): `fromStates` are the states it may be consumed from (`open`,
   * and `exhausted` for the attempt that itself reached the limit). False when another request won.
   */
  async consume(tokenId: string, fromStates: VerificationTokenEntity['state'][], now: Date): Promise<boolean> {
    const rows = await this.db.rows(
      `UPDATE verification_tokens SET state = 'consumed', consumed_at = $2 WHERE id = $1 AND state = ANY ($3::varchar[]) AND consumed_at IS NULL RETURNING id`,
      [tokenId, now, fromStates],
    );
    return rows.length > 0;
  }

  /** Consumes the user's open token of `kind` whose secret hash matches, atomically. */
  async consumeBySecret(
    userId: string,
    kind: VerificationKind,
    secretHash: string,
    now: Date,
  ): Promise<VerificationTokenEntity | undefined> {
    const rows = await this.db.rows(
      `UPDATE verification_tokens SET state = 'consumed', consumed_at = $4
       WHERE user_id = $1 AND kind = $2 AND secret_hash = $3 AND state = 'open' AND expire > $4 RETURNING ${COLUMNS}`,
      [userId, kind, secretHash, now],
    );
    return rows[0] ? toToken(rows[0]) : undefined;
  }

  /** Closes every open token of the user of this kind (the address changed); returns their ids. */
  async closeOpen(userId: string, kind: VerificationKind): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `UPDATE verification_tokens SET state = 'superseded' WHERE user_id = $1 AND kind = $2 AND state = 'open' RETURNING id`,
      [userId, kind],
    );
    return rows.map((r) => r.id);
  }

  async delete(tokenId: string): Promise<void> {
    await this.db.rows('DELETE FROM verification_tokens WHERE id = $1', [tokenId]);
  }
}
