import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { CreateUserBody, ListUsersQuery } from '@twostep/contracts';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { SessionsService } from '../sessions/sessions.service';
import { VerificationService } from '../verification/verification.service';
import { AccountModel, accountModel } from './user.model';
import { UsersService } from './users.service';

/**
 * The admin `Users` routes of node-appwrite (API key only, appwrite-api.md 2.17): enough to seed and
 * manage users. The User model never carries the password hash. Every route on a user answers 404
 * `user_not_found` for an unknown one.
 */
@Injectable()
export class UsersAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly verification: VerificationService,
    private readonly audit: AuditLogService,
  ) {}

  async create(input: CreateUserBody): Promise<AccountModel> {
    return accountModel(await this.users.create(input));
  }

  /** A page of users; an empty `search` is no filter. */
  async list(query: ListUsersQuery): Promise<{ total: number; users: AccountModel[] }> {
    const { total, users } = await this.users.list({ ...query.queries, search: query.search || undefined });
    return { total, users: users.map(accountModel) };
  }

  async get(userId: string): Promise<AccountModel> {
    return accountModel(await this.users.get(userId));
  }

  /** Deletes the user, their sessions and tokens, and (first) their factors in mfa-service. */
  async delete(userId: string): Promise<void> {
    await this.users.delete(userId);
  }

  async setName(userId: string, name: string): Promise<AccountModel> {
    return accountModel(await this.users.setName(userId, name));
  }

  async setPassword(userId: string, password: string): Promise<AccountModel> {
    return accountModel(await this.users.setPassword(userId, password));
  }

  /** The new address is unverified; pending verification links are closed. */
  async setEmail(userId: string, email: string): Promise<AccountModel> {
    const user = await this.users.changeEmail(userId, email);
    await this.verification.closeOpen(userId, 'email');
    return accountModel(user);
  }

  /** The new number is unverified; pending verification codes are closed. */
  async setPhone(userId: string, phone: string): Promise<AccountModel> {
    const user = await this.users.changePhone(userId, phone);
    await this.verification.closeOpen(userId, 'phone');
    return accountModel(user);
  }

  async setEmailVerification(userId: string, emailVerification: boolean): Promise<AccountModel> {
    return accountModel(await this.users.setEmailVerification(userId, emailVerification));
  }

  async setPhoneVerification(userId: string, phoneVerification: boolean): Promise<AccountModel> {
    return accountModel(await this.users.setPhoneVerification(userId, phoneVerification));
  }

  async setStatus(userId: string, status: boolean): Promise<AccountModel> {
    return accountModel(await this.users.setStatus(userId, status));
  }

  /** Turns MFA on or off without any condition (an admin action), audited when it changes. */
  async setMfa(userId: string, mfa: boolean, request: FastifyRequest): Promise<AccountModel> {
    const before = await this.users.get(userId);
    const updated = await this.users.setMfa(userId, mfa);
    if (before.mfa !== mfa) await this.audit.record(userId, mfa ? AuditEvent.MfaEnable : AuditEvent.MfaDisable, request, 'admin');
    return accountModel(updated);
  }

  async getPrefs(userId: string): Promise<Record<string, unknown>> {
    return (await this.users.get(userId)).prefs ?? {};
  }

  async setPrefs(userId: string, prefs: Record<string, unknown>): Promise<Record<string, unknown>> {
    return (await this.users.setPrefs(userId, prefs)).prefs;
  }

  /** A session for the user, `factors: ["server"]`; `secret` is the encoded credential for `setSession`. */
  async createSession(userId: string, request: FastifyRequest): Promise<SessionModel> {
    const user = await this.users.get(userId);
    const { session, credential } = await this.sessions.create(user, 'server', ['server'], request);
    return sessionModel(session, { current: false, secret: credential });
  }

  async listSessions(userId: string): Promise<{ total: number; sessions: SessionModel[] }> {
    const user = await this.users.get(userId);
    const sessions = await this.sessions.list(user.id);
    return { total: sessions.length, sessions: sessions.map((s) => sessionModel(s, { current: false })) };
  }

  async deleteSessions(userId: string): Promise<void> {
    const user = await this.users.get(userId);
    await this.sessions.deleteAll(user.id);
  }

  async deleteSession(userId: string, sessionId: string): Promise<void> {
    const user = await this.users.get(userId);
    await this.sessions.delete(user.id, sessionId);
  }
}
