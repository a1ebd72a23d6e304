import type { z } from 'zod';
import * as r from './requests';

/** The inputs of one HTTP route: path params, query and body (absent: the route reads none). */
export interface HttpRequestContract {
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
}

/**
 * The request contract of every auth-api route, keyed `'METHOD /v1/path/:param'` (Fastify/Nest path
 * syntax; each alias of a handler has its own key). A route without input has an empty entry. The
 * auth-api controllers validate with these schemas (see its ZodPipe) and a test checks that this map and
 * the router list the same routes. Schemas that depend on configuration are built by
 * {@link buildHttpRequests}; {@link httpRequests} is the instance built with the defaults (for the
 * OpenAPI document).
 */
export function buildHttpRequests(options: r.HttpRequestOptions = {}) {
  const verificationBody = r.createEmailVerificationBody(options);
  const magicUrlBody = r.createMagicUrlTokenBody(options);
  const recoveryBody = r.createRecoveryBody(options);
  const emailPasswordSession = { body: r.createEmailPasswordSessionBody };
  const createChallenge = { body: r.createChallengeBody };
  const completeChallenge = { body: r.completeChallengeBody };
  const userSecret = { body: r.userSecretBody };
  const session = { params: r.sessionIdParams };
  const authenticator = { params: r.authenticatorTypeParams };
  const user = { params: r.userIdParams };
  return {
    // account (appwrite-api.md 2.2, 2.4)
    'POST /v1/account': { body: r.createAccountBody },
    'GET /v1/account': {},
    'PATCH /v1/account/name': { body: r.updateNameBody },
    'PATCH /v1/account/password': { body: r.updatePasswordBody },
    'PATCH /v1/account/email': { body: r.updateEmailBody },
    'PATCH /v1/account/phone': { body: r.updatePhoneBody },
    'GET /v1/account/prefs': {},
    'PATCH /v1/account/prefs': { body: r.updatePrefsBody },
    'GET /v1/account/logs': { query: r.listQuery },
    'POST /v1/account/jwts': { body: r.createJwtBody },
    // sessions
    'POST /v1/account/sessions/email': emailPasswordSession,
    'POST /v1/account/sessions': emailPasswordSession,
    'POST /v1/account/sessions/anonymous': {},
    'POST /v1/account/sessions/token': userSecret,
    'PUT /v1/account/sessions/magic-url': userSecret,
    'PUT /v1/account/sessions/phone': userSecret,
    'GET /v1/account/sessions': {},
    'DELETE /v1/account/sessions': {},
    'GET /v1/account/sessions/:sessionId': session,
    'PATCH /v1/account/sessions/:sessionId': session,
    'DELETE /v1/account/sessions/:sessionId': session,
    // passwordless sign-in tokens
    'POST /v1/account/tokens/email': { body: r.createEmailTokenBody },
    'POST /v1/account/tokens/magic-url': { body: magicUrlBody },
    'POST /v1/account/tokens/phone': { body: r.createPhoneTokenBody },
    // verification
    'POST /v1/account/verification': { body: verificationBody },
    'POST /v1/account/verifications/email': { body: verificationBody },
    'PUT /v1/account/verification': userSecret,
    'PUT /v1/account/verifications/email': userSecret,
    'POST /v1/account/verification/phone': {},
    'POST /v1/account/verifications/phone': {},
    'PUT /v1/account/verification/phone': userSecret,
    'PUT /v1/account/verifications/phone': userSecret,
    // password recovery
    'POST /v1/account/recovery': { body: recoveryBody },
    'PUT /v1/account/recovery': { body: r.updateRecoveryBody },
    // MFA
    'PATCH /v1/account/mfa': { body: r.updateMfaBody },
    'GET /v1/account/mfa/factors': {},
    'POST /v1/account/mfa/authenticators/:type': authenticator,
    'PUT /v1/account/mfa/authenticators/:type': { ...authenticator, body: r.verifyAuthenticatorBody },
    'DELETE /v1/account/mfa/authenticators/:type': authenticator,
    'POST /v1/account/mfa/recovery-codes': {},
    'GET /v1/account/mfa/recovery-codes': {},
    'PATCH /v1/account/mfa/recovery-codes': {},
    'POST /v1/account/mfa/challenges': createChallenge,
    'POST /v1/account/mfa/challenge': createChallenge,
    'PUT /v1/account/mfa/challenges': completeChallenge,
    'PUT /v1/account/mfa/challenge': completeChallenge,
    'GET /v1/account/mfa/challenges/:challengeId': { params: r.challengeIdParams },
    // avatars
    'GET /v1/avatars/qr': { query: r.qrQuery },
    // users (API key)
    'POST /v1/users': { body: r.createUserBody },
    'GET /v1/users': { query: r.listUsersQuery },
    'GET /v1/users/:userId': user,
    'DELETE /v1/users/:userId': user,
    'PATCH /v1/users/:userId/name': { ...user, body: r.updateUserNameBody },
    'PATCH /v1/users/:userId/password': { ...user, body: r.updateUserPasswordBody },
    'PATCH /v1/users/:userId/email': { ...user, body: r.updateUserEmailBody },
    'PATCH /v1/users/:userId/phone': { ...user, body: r.updateUserPhoneBody },
    'PATCH /v1/users/:userId/verification': { ...user, body: r.updateUserEmailVerificationBody },
    'PATCH /v1/users/:userId/verification/phone': { ...user, body: r.updateUserPhoneVerificationBody },
    'PATCH /v1/users/:userId/status': { ...user, body: r.updateUserStatusBody },
    'PATCH /v1/users/:userId/mfa': { ...user, body: r.updateMfaBody },
    'GET /v1/users/:userId/prefs': user,
    'PATCH /v1/users/:userId/prefs': { ...user, body: r.updateUserPrefsBody },
    'GET /v1/users/:userId/logs': { ...user, query: r.listQuery },
    'POST /v1/users/:userId/sessions': user,
    'GET /v1/users/:userId/sessions': user,
    'DELETE /v1/users/:userId/sessions': user,
    'DELETE /v1/users/:userId/sessions/:sessionId': { params: r.userSessionParams },
    'GET /v1/users/:userId/mfa/factors': user,
    'DELETE /v1/users/:userId/mfa/authenticators/:type': { params: r.userAuthenticatorParams },
    'DELETE /v1/users/:userId/mfa/lockouts': user,
    'GET /v1/users/:userId/mfa/recovery-codes': user,
    'PATCH /v1/users/:userId/mfa/recovery-codes': user,
    'PUT /v1/users/:userId/mfa/recovery-codes': user,
    // the API description itself (no input: `?project=` is read by the project check, not the handler)
    'GET /v1/openapi.json': {},
    'GET /v1/openapi': {},
  } satisfies Record<string, HttpRequestContract>;
}

export type HttpRequests = ReturnType<typeof buildHttpRequests>;
export type RouteKey = keyof HttpRequests;

/** The request contracts built with the default options (any link host). */
export const httpRequests: Record<RouteKey, HttpRequestContract> & HttpRequests = buildHttpRequests();
