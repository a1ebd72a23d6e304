import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';
import { AppError } from '@twostep/contracts';
import { constantTimeEqual, deriveKey, Keyring, parseKeyring } from '@twostep/crypto';
import { CLOCK, Clock } from '@twostep/platform';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { SessionsService } from '../sessions/sessions.service';
import type { AuthContext } from './auth-context';

const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_JWT_LENGTH = 2048;

interface JwtPayload {
  userId: string;
  sessionId: string;
  iat: number;
  exp: number;
}

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Account JWTs (`X-Appwrite-JWT`): HS256 over `{userId, sessionId, iat, exp}`, signed with a key
 * derived from JWT_SIGNING_KEY (its own keyring; the header's `kid` names the key, so keys rotate).
 * A JWT is only as good as its session: it is refused once the session is deleted or expired, and
 * every rule that applies to the session (MFA, blocked user) applies to it.
 */
@Injectable()
export class AccountJwtService {
  private readonly keyring: Keyring;

  constructor(
    private readonly sessions: SessionsService,
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.keyring = parseKeyring(config.JWT_SIGNING_KEY);
  }

  /** A JWT for `session`, valid `durationSeconds`. */
  /**
   * POST /v1/account/jwts. Stricter than Appwrite: only a full session gets one, a JWT cannot mint
   * another, and it dies with its session.
   */
  create(auth: AuthContext, durationSeconds: number): { jwt: string } {
    if (auth.kind !== 'session') throw new AppError('general_unauthorized_scope');
    if (auth.viaJwt) throw new AppError('general_unauthorized_scope', 'A JWT cannot be used to create another JWT; use the session.');
    return { jwt: this.sign(auth.session, durationSeconds) };
  }

  sign(session: Pick<SessionEntity, 'id' | 'userId'>, durationSeconds: number): string {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const key = this.keyring.active;
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.id }));
    const payload = b64url(
      JSON.stringify({ userId: session.userId, sessionId: session.id, iat: now, exp: now + durationSeconds } satisfies JwtPayload),
    );
    return `${header}.${payload}.${this.mac(key.material, `${header}.${payload}`)}`;
  }

  /** The live session and user a well-formed, correctly signed, unexpired JWT names; undefined otherwise. */
  async resolve(jwt: string): Promise<{ session: SessionEntity; user: UserEntity } | undefined> {
    const payload = this.verify(jwt);
    return payload ? this.sessions.resolveById(payload.userId, payload.sessionId) : undefined;
  }

  private verify(jwt: string): JwtPayload | undefined {
    if (jwt.length > MAX_JWT_LENGTH) return undefined;
    const parts = jwt.split('.');
    if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return undefined;
    const [h, p, signature] = parts;
    const header = parseJson(h);
    if (!header || header.alg !== 'HS256' || typeof header.kid !== 'string') return undefined;
    const key = this.keyring.byId.get(header.kid);
    if (!key || !constantTimeEqual(this.mac(key.material, `${h}.${p}`), signature)) return undefined;
    const payload = parseJson(p);
    if (!payload || typeof payload.userId !== 'string' || typeof payload.sessionId !== 'string' || typeof payload.exp !== 'number')
      return undefined;
    if (payload.exp * 1000 <= this.clock.now().getTime()) return undefined;
    return payload as unknown as JwtPayload;
  }

  private mac(material: Buffer, signingInput: string): string {
    return createHmac('sha256', deriveKey(material, 'auth-account-jwt')).update(signingInput).digest('base64url');
  }
}
