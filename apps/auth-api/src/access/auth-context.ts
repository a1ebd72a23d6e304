import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionEntity, UserEntity } from '@twostep/auth-data-access';

/** What the {@link AccessGuard} established about the caller, attached to the request. */
export type AuthContext =
  | { kind: 'guest' }
  | { kind: 'apiKey' }
  | {
      kind: 'session';
      user: UserEntity;
      session: SessionEntity;
      /** the encoded credential as presented (to re-emit it, never to log it); empty for a JWT */
      credential: string;
      /** authenticated by an account JWT (`X-Appwrite-JWT`) standing for this session */
      viaJwt?: boolean;
    };

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

export function authOf(request: FastifyRequest): AuthContext {
  return request.auth ?? { kind: 'guest' };
}

function sessionAuth(ctx: ExecutionContext) {
  const auth = authOf(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (auth.kind !== 'session') {
    // a programming error: the route's access class does not guarantee a session
    throw new Error('route reads the current session but its access class does not require one');
  }
  return auth;
}

/** The signed-in user (routes with access `session`, `partial` or `fresh`). */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserEntity => sessionAuth(ctx).user);

/** The session the request was authenticated with (routes with access `session`, `partial` or `fresh`). */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionEntity => sessionAuth(ctx).session);

/** The whole {@link AuthContext} (any route). */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext =>
  authOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
