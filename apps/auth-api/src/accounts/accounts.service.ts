import { Inject, Injectable } from '@nestjs/common';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import type { FastifyRequest } from 'fastify';
import {
  AppError,
  CreateAccountBody,
  RequesterInfo,
  SecurityEvent,
  UpdateEmailBody,
  UpdateNameBody,
  UpdatePasswordBody,
  UpdatePhoneBody,
  UpdatePrefsBody,
} from '@twostep/contracts';
import { JsonLogger } from '@twostep/observability';
import { LOGGER } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { requesterOf } from '../common/http/request-info';
import { AccountModel, accountModel } from '../users/user.model';
import { SecurityNoticesService } from '../security-notices/security-notices.service';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { VerificationService } from '../verification/verification.service';

/** The signed-in user's own account: changes that need the password, with out-of-band notices. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly verification: VerificationService,
    private readonly notices: SecurityNoticesService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
    private readonly audit: AuditLogService,
  ) {}

  /** POST /v1/account: sign-up (does not sign in). */
  async signUp(input: CreateAccountBody): Promise<AccountModel> {
    return accountModel(await this.users.create(input));
  }

  /** PATCH /v1/account/name. */
  async updateName(user: UserEntity, input: UpdateNameBody): Promise<AccountModel> {
    return accountModel(await this.users.setName(user.id, input.name));
  }

  /** PATCH /v1/account/prefs. */
  async updatePrefs(user: UserEntity, input: UpdatePrefsBody): Promise<AccountModel> {
    return accountModel(await this.users.setPrefs(user.id, input.prefs));
  }

  /** PATCH /v1/account/password, audited. */
  async updatePassword(
    user: UserEntity,
    session: SessionEntity,
    input: UpdatePasswordBody,
    request: FastifyRequest,
  ): Promise<AccountModel> {
    const updated = await this.changePassword(user, session, input.password, input.oldPassword, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.PasswordUpdate, request);
    return accountModel(updated);
  }

  /** PATCH /v1/account/email, audited; the session is recorded as the new address's enroller (no step-up with it). */
  async updateEmail(user: UserEntity, session: SessionEntity, input: UpdateEmailBody, request: FastifyRequest): Promise<AccountModel> {
    const updated = await this.changeEmail(user, input.email, input.password, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.EmailUpdate, request);
    await this.sessions.markEnrolled(session.id, 'email');
    return accountModel(updated);
  }

  /** PATCH /v1/account/phone, as for email. */
  async updatePhone(user: UserEntity, session: SessionEntity, input: UpdatePhoneBody, request: FastifyRequest): Promise<AccountModel> {
    const updated = await this.changePhone(user, input.phone, input.password, requesterOf(request));
    await this.audit.record(user.id, AuditEvent.PhoneUpdate, request);
    await this.sessions.markEnrolled(session.id, 'phone');
    return accountModel(updated);
  }

  /**
   * PATCH /v1/account/password. A user who has a password must give it as `oldPassword`
   * (401 `user_invalid_credentials`). Other sessions are ended (PASSWORD_CHANGE_INVALIDATES_SESSIONS).
   */
  async changePassword(
    user: UserEntity,
    session: SessionEntity,
    password: string,
    oldPassword: string | undefined,
    requester: RequesterInfo,
  ): Promise<UserEntity> {
    if (user.passwordHash) {
      if (oldPassword === undefined) throw new AppError('user_invalid_credentials');
      await this.users.assertPassword(user, oldPassword);
    }
    const updated = await this.users.setPassword(user.id, password);
    if (this.config.PASSWORD_CHANGE_INVALIDATES_SESSIONS) await this.sessions.deleteAll(user.id, session.id);
    this.logger.emit('info', 'password changed', { userId: user.id });
    await this.notices.notify(updated, SecurityEvent.PasswordChanged, requester);
    return updated;
  }

  /**
   * PATCH /v1/account/email: re-authenticates with the password (a user without one gets it set),
   * makes the new address unverified, closes pending verification links and tells the old address.
   */
  async changeEmail(user: UserEntity, email: string, password: string, requester: RequesterInfo): Promise<UserEntity> {
    await this.users.assertPassword(user, password);
    const previous = user.email;
    let updated = await this.users.changeEmail(user.id, email);
    if (!user.passwordHash) updated = await this.users.setPassword(user.id, password);
    await this.verification.closeOpen(user.id, 'email');
    this.logger.emit('info', 'email changed', { userId: user.id });
    await this.notices.notify(updated, SecurityEvent.EmailChanged, requester, { email: previous ?? email });
    return updated;
  }

  /** PATCH /v1/account/phone: as for email; the new number is unverified. */
  async changePhone(user: UserEntity, phone: string, password: string, requester: RequesterInfo): Promise<UserEntity> {
    await this.users.assertPassword(user, password);
    let updated = await this.users.changePhone(user.id, phone);
    if (!user.passwordHash) updated = await this.users.setPassword(user.id, password);
    await this.verification.closeOpen(user.id, 'phone');
    this.logger.emit('info', 'phone changed', { userId: user.id });
    await this.notices.notify(updated, SecurityEvent.PhoneChanged, requester);
    return updated;
  }
}
