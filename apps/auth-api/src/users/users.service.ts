import { Inject, Injectable } from '@nestjs/common';
import { UserEntity } from '@twostep/auth-data-access';
import { AppError, MfaPattern } from '@twostep/contracts';
import { uniqueId } from '@twostep/crypto';
import { JsonLogger } from '@twostep/observability';
import { CLOCK, Clock, LOGGER } from '@twostep/platform';
import { MfaClient } from '../mfa-client/mfa-client.service';
import { PasswordHasher } from './password-hasher.service';
import { UserPatch, UsersRepository } from './users.repository';

export interface NewUser {
  /** a custom id or `unique()` */
  userId: string;
  email?: string;
  phone?: string;
  password?: string;
  name?: string;
}

/**
 * Users: creation, reads and the updates shared by the account routes, the admin routes and the MFA
 * routes. Email addresses arrive lower-cased from the validator.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly mfa: MfaClient,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async create(input: NewUser): Promise<UserEntity> {
    const now = this.clock.now();
    const user = new UserEntity();
    user.id = input.userId === 'unique()' ? uniqueId(now.getTime()) : input.userId;
    user.email = input.email ?? null;
    user.phone = input.phone ?? null;
    user.name = input.name ?? '';
    user.passwordHash = input.password !== undefined ? await this.hasher.hash(input.password) : null;
    user.passwordUpdatedAt = input.password !== undefined ? now : null;
    user.emailVerification = false;
    user.phoneVerification = false;
    user.mfa = false;
    user.status = true;
    user.labels = [];
    user.prefs = {};
    user.emailTargetId = user.email ? uniqueId(now.getTime()) : null;
    user.phoneTargetId = user.phone ? uniqueId(now.getTime()) : null;
    user.createdAt = now;
    user.updatedAt = now;
    user.accessedAt = null;
    await this.users.insert(user);
    this.logger.emit('info', 'user created', { userId: user.id });
    return user;
  }

  /** The user, or 404 `user_not_found`. */
  async get(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new AppError('user_not_found');
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | undefined> {
    return this.users.findByEmail(email);
  }

  findByPhone(phone: string): Promise<UserEntity | undefined> {
    return this.users.findByPhone(phone);
  }

  /**
   * The user with this email or phone number, or a new one (`userId`, no password) when there is none:
   * how email, magic URL and phone sign-in open an account (Appwrite). Two concurrent first sign-ins
   * for one address end with one user.
   */
  async findOrCreateByAddress(userId: string, address: { email: string } | { phone: string }): Promise<UserEntity> {
    const find = () => ('email' in address ? this.users.findByEmail(address.email) : this.users.findByPhone(address.phone));
    const existing = await find();
    if (existing) return existing;
    try {
      return await this.create({ userId, ...address });
    } catch (error) {
      // lost a race for the same address: the winner's user is the one
      const winner = error instanceof AppError && error.type === 'user_already_exists' ? await find() : undefined;
      if (winner) return winner;
      throw error;
    }
  }

  async list(opts: { limit: number; offset: number; search?: string }): Promise<{ total: number; users: UserEntity[] }> {
    return this.users.list(opts);
  }

  /** Applies a patch; 404 `user_not_found` when the user is gone. */
  async update(userId: string, patch: UserPatch): Promise<UserEntity> {
    const user = await this.users.update(userId, patch, this.clock.now());
    if (!user) throw new AppError('user_not_found');
    return user;
  }

  setName(userId: string, name: string): Promise<UserEntity> {
    return this.update(userId, { name });
  }

  setPrefs(userId: string, prefs: Record<string, unknown>): Promise<UserEntity> {
    return this.update(userId, { prefs });
  }

  /** Turns MFA enforcement on or off (PATCH /v1/account/mfa, PATCH /v1/users/{id}/mfa). */
  setMfa(userId: string, mfa: boolean): Promise<UserEntity> {
    return this.update(userId, { mfa });
  }

  setEmailVerification(userId: string, emailVerification: boolean): Promise<UserEntity> {
    return this.update(userId, { emailVerification });
  }

  setPhoneVerification(userId: string, phoneVerification: boolean): Promise<UserEntity> {
    return this.update(userId, { phoneVerification });
  }

  setStatus(userId: string, status: boolean): Promise<UserEntity> {
    return this.update(userId, { status });
  }

  async setPassword(userId: string, password: string): Promise<UserEntity> {
    const passwordHash = await this.hasher.hash(password);
    return this.update(userId, { passwordHash, passwordUpdatedAt: this.clock.now() });
  }

  /** A new email address is unverified and gets a new messaging target. */
  changeEmail(userId: string, email: string): Promise<UserEntity> {
    return this.update(userId, { email, emailVerification: false, emailTargetId: uniqueId(this.clock.now().getTime()) });
  }

  /** A new phone number is unverified and gets a new messaging target. */
  changePhone(userId: string, phone: string): Promise<UserEntity> {
    return this.update(userId, { phone, phoneVerification: false, phoneTargetId: uniqueId(this.clock.now().getTime()) });
  }

  /**
   * Email and password sign-in. Unknown email, user without a password and wrong password all give
   * the same 401 `user_invalid_credentials` after one argon2 verification of the same cost.
   * A blocked user is told so only after the password proved who they are.
   */
  async verifyCredentials(email: string, password: string): Promise<UserEntity> {
    const user = await this.users.findByEmail(email);
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !ok) {
      // the log (not the client) tells a known account from an unknown one; never the address
      this.logger.emit('info', 'sign-in refused', user ? { userId: user.id, reason: 'wrong password' } : { reason: 'unknown account' });
      throw new AppError('user_invalid_credentials');
    }
    if (!user.status) {
      this.logger.emit('info', 'sign-in refused', { userId: user.id, reason: 'blocked' });
      throw new AppError('user_blocked');
    }
    if (user.passwordHash && this.hasher.needsRehash(user.passwordHash)) {
      // the configured cost changed since this hash was made: upgrade it while we know the password
      const passwordHash = await this.hasher.hash(password);
      await this.users.update(user.id, { passwordHash }, this.clock.now());
    }
    return user;
  }

  /**
   * Re-authentication before a sensitive change (email, phone, password): 401
   * `user_invalid_credentials` unless `password` is the user's password. A user created without a
   * password (admin API) has none to check.
   */
  async assertPassword(user: UserEntity, password: string): Promise<void> {
    if (!user.passwordHash) return;
    if (!(await this.hasher.verify(user.passwordHash, password))) throw new AppError('user_invalid_credentials');
  }

  /**
   * Deletes a user everywhere: first the factors mfa-service holds (so a new user reusing the id never
   * inherits them), then the auth rows (sessions and tokens go with the user). If mfa-service does not
   * answer nothing is deleted and the caller gets 503.
   */
  async delete(userId: string): Promise<void> {
    await this.get(userId);
    await this.mfa.send(MfaPattern.UserPurge, { userId });
    await this.users.delete(userId);
    this.logger.emit('info', 'user deleted', { userId });
  }
}
