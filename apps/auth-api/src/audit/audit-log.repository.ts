import { Injectable } from '@nestjs/common';
import type { SessionClientInfo } from '@twostep/auth-data-access';
import { Sql } from '@twostep/persistence';

export interface AuditLogEntry {
  id: string;
  userId: string;
  event: string;
  mode: 'default' | 'admin';
  ip: string;
  client: SessionClientInfo;
  createdAt: Date;
}

export interface AuditLogRow extends AuditLogEntry {
  userEmail: string;
  userName: string;
}

/** The `audit_logs` table. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: Sql) {}

  /** Inserts the entry if its user exists (a refused sign-in may name an unknown id); no error otherwise. */
  async insert(e: AuditLogEntry): Promise<void> {
    await this.db.rows(
      `INSERT INTO audit_logs (id, user_id, event, mode, ip, client, created_at)
       SELECT $1::varchar, $2::varchar, $3::varchar, $4::varchar, $5::varchar, $6::jsonb, $7::timestamptz WHERE EXISTS (SELECT 1 FROM users WHERE id = $2::varchar)`,
      [e.id, e.userId, e.event, e.mode, e.ip, JSON.stringify(e.client), e.createdAt],
    );
  }

  /** The user's entries newer than `since`, newest first, with the user's current email and name. */
  async list(userId: string, since: Date, limit: number, offset: number): Promise<{ total: number; logs: AuditLogRow[] }> {
    const [count] = await this.db.rows<{ n: string }>('SELECT count(*) AS n FROM audit_logs WHERE user_id = $1 AND created_at > $2', [
      userId,
      since,
    ]);
    const rows = await this.db.rows(
      `SELECT l.id, l.user_id, l.event, l.mode, l.ip, l.client, l.created_at, coalesce(u.email, '') AS user_email, u.name AS user_name
       FROM audit_logs l JOIN users u ON u.id = l.user_id
       WHERE l.user_id = $1 AND l.created_at > $2 ORDER BY l.created_at DESC, l.seq DESC LIMIT $3 OFFSET $4`,
      [userId, since, limit, offset],
    );
    return {
      total: Number(count?.n ?? 0),
      logs: rows.map((r) => ({
        id: r.id as string,
        userId: r.user_id as string,
        event: r.event as string,
        mode: r.mode as AuditLogEntry['mode'],
        ip: r.ip as string,
        client: (r.client as SessionClientInfo) ?? {},
        createdAt: r.created_at as Date,
        userEmail: r.user_email as string,
        userName: r.user_name as string,
      })),
    };
  }

  /** Deletes entries older than `before`; returns how many. */
  async purge(before: Date): Promise<number> {
    const rows = await this.db.rows('DELETE FROM audit_logs WHERE created_at <= $1 RETURNING 1', [before]);
    return rows.length;
  }
}
