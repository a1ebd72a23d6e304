import { Injectable } from '@nestjs/common';
import { UserEntity } from '@twostep/auth-data-access';
import { AppError } from '@twostep/contracts';
import { Sql } from '@twostep/persistence';

export type UserPatch = Partial<
  Pick<
    UserEntity,
    | 'email'
    | 'phone'
    | 'name'
    | 'passwordHash'
    | 'passwordUpdatedAt'
    | 'emailVerification'
    | 'phoneVerification'
    | 'mfa'
    | 'status'
    | 'labels'
    | 'prefs'
    | 'emailTargetId'
    | 'phoneTargetId'
  >
>;

/** Entity property → column, for the fields a patch may set. */
const PATCH_COLUMNS: Record<keyof UserPatch, string> = {
  email: 'email',
  phone: 'phone',
  name: 'name',
  passwordHash: 'password_hash',
  passwordUpdatedAt: 'password_updated_at',
  emailVerification: 'email_verification',
  phoneVerification: 'phone_verification',
  mfa: 'mfa',
  status: 'status',
  labels: 'labels',
  prefs: 'prefs',
  emailTargetId: 'email_target_id',
  phoneTargetId: 'phone_target_id',
};

const COLUMNS = `id, email, phone, name, password_hash, password_updated_at, email_verification, phone_verification, mfa, status,
  labels, prefs, email_target_id, phone_target_id, created_at, updated_at, accessed_at`;

/** Which unique index a write broke, if any (Postgres 23505). */
export function uniqueViolation(error: unknown): 'id' | 'email' | 'phone' | undefined {
  const e = error as { code?: string; constraint?: string };
  if (e?.code !== '23505') return undefined;
  if (e.constraint === 'users_email_key') return 'email';
  if (e.constraint === 'users_phone_key') return 'phone';
  return 'id';
}

/** The `users` table. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Sql) {}

  /** Inserts a user; a duplicate id, email or phone is 409 `user_already_exists`. */
  async insert(u: UserEntity): Promise<UserEntity> {
    try {
      await this.db.rows(
        `INSERT INTO users (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          u.id,
          u.email,
          u.phone,
          u.name,
          u.passwordHash,
          u.passwordUpdatedAt,
          u.emailVerification,
          u.phoneVerification,
          u.mfa,
          u.status,
          u.labels,
          JSON.stringify(u.prefs),
          u.emailTargetId,
          u.phoneTargetId,
          u.createdAt,
          u.updatedAt,
          u.accessedAt,
        ],
      );
    } catch (error) {
      if (uniqueViolation(error)) throw new AppError('user_already_exists');
      throw error;
    }
    return u;
  }

  async findById(id: string): Promise<UserEntity | undefined> {
    const rows = await this.db.rows(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? rowToUser(rows[0], '') : undefined;
  }

  async findByEmail(email: string): Promise<UserEntity | undefined> {
    const rows = await this.db.rows(`SELECT ${COLUMNS} FROM users WHERE email = $1`, [email], 'auth_user_by_email');
    return rows[0] ? rowToUser(rows[0], '') : undefined;
  }

  async findByPhone(phone: string): Promise<UserEntity | undefined> {
    const rows = await this.db.rows(`SELECT ${COLUMNS} FROM users WHERE phone = $1`, [phone], 'auth_user_by_phone');
    return rows[0] ? rowToUser(rows[0], '') : undefined;
  }

  /**
   * Applies `patch` and returns the updated row (undefined if the user is gone). A duplicate email
   * or phone is 409 `user_email_already_exists` / `user_phone_already_exists`.
   */
  async update(id: string, patch: UserPatch, now: Date): Promise<UserEntity | undefined> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [prop, value] of Object.entries(patch) as Array<[keyof UserPatch, unknown]>) {
      if (value === undefined) continue;
      values.push(prop === 'prefs' ? JSON.stringify(value) : value);
      sets.push(`${PATCH_COLUMNS[prop]} = $${values.length}`);
    }
    values.push(now);
    sets.push(`updated_at = $${values.length}`);
    try {
      const rows = await this.db.rows(`UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, values);
      return rows[0] ? rowToUser(rows[0], '') : undefined;
    } catch (error) {
      const which = uniqueViolation(error);
      if (which === 'email') throw new AppError('user_email_already_exists');
      if (which === 'phone') throw new AppError('user_phone_already_exists');
      throw error;
    }
  }

  async list(opts: { limit: number; offset: number; search?: string }): Promise<{ total: number; users: UserEntity[] }> {
    const where = opts.search ? `WHERE id ILIKE $1 OR email ILIKE $1 OR name ILIKE $1 OR phone ILIKE $1` : '';
    const filter = opts.search ? [`%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`] : [];
    const n = filter.length;
    const rows = await this.db.rows(
      `SELECT ${COLUMNS} FROM users ${where} ORDER BY created_at ASC, id ASC LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...filter, opts.limit, opts.offset],
    );
    const count = await this.db.rows<{ total: string }>(`SELECT count(*) AS total FROM users ${where}`, filter);
    return { total: Number(count[0]?.total ?? 0), users: rows.map((r) => rowToUser(r, '')) };
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.rows('DELETE FROM users WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }
}

/** Reads a user from a raw row whose user columns carry `prefix` (used by the session lookup join). */
export function rowToUser(row: Record<string, unknown>, prefix: string): UserEntity {
  const get = (c: string) => row[`${prefix}${c}`];
  const user = new UserEntity();
  user.id = get('id') as string;
  user.email = (get('email') as string | null) ?? null;
  user.phone = (get('phone') as string | null) ?? null;
  user.name = (get('name') as string) ?? '';
  user.passwordHash = (get('password_hash') as string | null) ?? null;
  user.passwordUpdatedAt = (get('password_updated_at') as Date | null) ?? null;
  user.emailVerification = get('email_verification') as boolean;
  user.phoneVerification = get('phone_verification') as boolean;
  user.mfa = get('mfa') as boolean;
  user.status = get('status') as boolean;
  user.labels = (get('labels') as string[]) ?? [];
  user.prefs = (get('prefs') as Record<string, unknown>) ?? {};
  user.emailTargetId = (get('email_target_id') as string | null) ?? null;
  user.phoneTargetId = (get('phone_target_id') as string | null) ?? null;
  user.createdAt = get('created_at') as Date;
  user.updatedAt = get('updated_at') as Date;
  user.accessedAt = (get('accessed_at') as Date | null) ?? null;
  return user;
}
