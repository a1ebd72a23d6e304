import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@twostep/contracts';
import { Access } from '../access/access.decorator';
import { AuditEvent } from '../audit/audit-event';
import { AuditLogService } from '../audit/audit-log.service';
import { optional, params, required, v, validateParams } from '../common/validation/params';
import { SessionModel, sessionModel } from '../sessions/session.model';
import { SessionsService } from '../sessions/sessions.service';
import { VerificationService } from '../verification/verification.service';
import { AccountModel, accountModel } from './user.model';
import { UsersService } from './users.service';

const userIdParam = { userId: required(v.uid()) };

function userIdOf(raw: string): string {
  return validateParams({ userId: raw }, userIdParam).userId;
}

/**
 * `queries` as node-appwrite 27 sends them (`queries[0]={"method":"limit","values":[25]}`, flattened
 * into the query string). `limit` (1-5000, default 25) and `offset` are supported.
 */
export function parseListQueries(query: Record<string, unknown>): { limit: number; offset: number } {
  const raw: unknown[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (key === 'queries' || key === 'queries[]' || /^queries\[\d+\]$/.test(key)) raw.push(...(Array.isArray(value) ? value : [value]));
  }
  let limit = 25;
  let offset = 0;
  for (const item of raw) {
    let parsed: { method?: unknown; values?: unknown };
    try {
      parsed = typeof item === 'string' ? (JSON.parse(item) as typeof parsed) : {};
    } catch {
      throw new AppError('general_argument_invalid', 'Invalid `queries` param: Invalid query: Syntax error');
    }
    const value = Array.isArray(parsed.values) ? parsed.values[0] : undefined;
    if (parsed.method === 'limit' && Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 5000)
      limit = value as number;
    else if (parsed.method === 'offset' && Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 1_000_000)
      offset = value as number;
    else
      throw new AppError(
        'general_argument_invalid',
        `Invalid \`queries\` param: Invalid query: ${typeof parsed.method === 'string' ? parsed.method.slice(0, 32) : 'unknown'} is not supported`,
      );
  }
  return { limit, offset };
}

/**
 * The admin `Users` routes of node-appwrite (API key only, appwrite-api.md 2.17): enough to seed and
 * manage users. The User model never carries the password hash.
 */
@Controller('v1/users')
@Access('apiKey')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly verification: VerificationService,
    private readonly audit: AuditLogService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body(
      params({
        userId: required(v.customId()),
        email: optional(v.email()),
        phone: optional(v.phone()),
        password: optional(v.password()),
        name: optional(v.name(128), ''),
      }),
    )
    input: {
      userId: string;
      email?: string;
      phone?: string;
      password?: string;
      name?: string;
    },
  ): Promise<AccountModel> {
    return accountModel(await this.users.create(input));
  }

  @Get()
  async list(@Query() query: Record<string, unknown>): Promise<{ total: number; users: AccountModel[] }> {
    const { limit, offset } = parseListQueries(query ?? {});
    const { search } = validateParams(query, { search: optional(v.text(256)) });
    const { total, users } = await this.users.list({ limit, offset, search: search || undefined });
    return { total, users: users.map(accountModel) };
  }

  @Get(':userId')
  async get(@Param('userId') userId: string): Promise<AccountModel> {
    return accountModel(await this.users.get(userIdOf(userId)));
  }

  /** Deletes the user, their sessions and tokens, and (first) their factors in mfa-service. */
  @Delete(':userId')
  @HttpCode(204)
  async delete(@Param('userId') userId: string): Promise<void> {
    await this.users.delete(userIdOf(userId));
  }

  @Patch(':userId/name')
  async updateName(
    @Param('userId') userId: string,
    @Body(params({ name: required(v.name(128)) })) input: { name: string },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setName(userIdOf(userId), input.name));
  }

  @Patch(':userId/password')
  async updatePassword(
    @Param('userId') userId: string,
    @Body(params({ password: required(v.password()) })) input: { password: string },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setPassword(userIdOf(userId), input.password));
  }

  @Patch(':userId/email')
  async updateEmail(
    @Param('userId') userId: string,
    @Body(params({ email: required(v.email()) })) input: { email: string },
  ): Promise<AccountModel> {
    const id = userIdOf(userId);
    const user = await this.users.changeEmail(id, input.email);
    await this.verification.closeOpen(id, 'email');
    return accountModel(user);
  }

  @Patch(':userId/phone')
  async updatePhone(
    @Param('userId') userId: string,
    @Body(params({ number: required(v.phone()) })) input: { number: string },
  ): Promise<AccountModel> {
    const id = userIdOf(userId);
    const user = await this.users.changePhone(id, input.number);
    await this.verification.closeOpen(id, 'phone');
    return accountModel(user);
  }

  @Patch(':userId/verification')
  async updateEmailVerification(
    @Param('userId') userId: string,
    @Body(params({ emailVerification: required(v.boolean()) })) input: { emailVerification: boolean },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setEmailVerification(userIdOf(userId), input.emailVerification));
  }

  @Patch(':userId/verification/phone')
  async updatePhoneVerification(
    @Param('userId') userId: string,
    @Body(params({ phoneVerification: required(v.boolean()) })) input: { phoneVerification: boolean },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setPhoneVerification(userIdOf(userId), input.phoneVerification));
  }

  @Patch(':userId/status')
  async updateStatus(
    @Param('userId') userId: string,
    @Body(params({ status: required(v.boolean()) })) input: { status: boolean },
  ): Promise<AccountModel> {
    return accountModel(await this.users.setStatus(userIdOf(userId), input.status));
  }

  @Patch(':userId/mfa')
  async updateMfa(
    @Param('userId') userId: string,
    @Body(params({ mfa: required(v.boolean()) })) input: { mfa: boolean },
    @Req() request: FastifyRequest,
  ): Promise<AccountModel> {
    const id = userIdOf(userId);
    const before = await this.users.get(id);
    const updated = await this.users.setMfa(id, input.mfa);
    if (before.mfa !== input.mfa) await this.audit.record(id, input.mfa ? AuditEvent.MfaEnable : AuditEvent.MfaDisable, request, 'admin');
    return accountModel(updated);
  }

  @Get(':userId/prefs')
  async getPrefs(@Param('userId') userId: string): Promise<Record<string, unknown>> {
    return (await this.users.get(userIdOf(userId))).prefs ?? {};
  }

  @Patch(':userId/prefs')
  async updatePrefs(
    @Param('userId') userId: string,
    @Body(params({ prefs: required(v.object()) })) input: { prefs: Record<string, unknown> },
  ): Promise<Record<string, unknown>> {
    return (await this.users.setPrefs(userIdOf(userId), input.prefs)).prefs;
  }

  /** A session for the user, `factors: ["server"]`; `secret` is the encoded credential for `setSession`. */
  @Post(':userId/sessions')
  @HttpCode(201)
  async createSession(@Param('userId') userId: string, @Req() request: FastifyRequest): Promise<SessionModel> {
    const user = await this.users.get(userIdOf(userId));
    const { session, credential } = await this.sessions.create(user, 'server', ['server'], request);
    return sessionModel(session, { current: false, secret: credential });
  }

  @Get(':userId/sessions')
  async listSessions(@Param('userId') userId: string): Promise<{ total: number; sessions: SessionModel[] }> {
    const user = await this.users.get(userIdOf(userId));
    const sessions = await this.sessions.list(user.id);
    return { total: sessions.length, sessions: sessions.map((s) => sessionModel(s, { current: false })) };
  }

  @Delete(':userId/sessions')
  @HttpCode(204)
  async deleteSessions(@Param('userId') userId: string): Promise<void> {
    const user = await this.users.get(userIdOf(userId));
    await this.sessions.deleteAll(user.id);
  }

  @Delete(':userId/sessions/:sessionId')
  @HttpCode(204)
  async deleteSession(@Param('userId') userId: string, @Param('sessionId') sessionId: string): Promise<void> {
    const user = await this.users.get(userIdOf(userId));
    await this.sessions.delete(user.id, validateParams({ sessionId }, { sessionId: required(v.uid()) }).sessionId);
  }
}
