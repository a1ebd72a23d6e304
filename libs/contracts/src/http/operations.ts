import { z } from 'zod';
import {
  JwtModel,
  LogListModel,
  MfaChallengeModel,
  MfaChallengeStateModel,
  MfaFactorsModel,
  MfaRecoveryCodesModel,
  MfaTypeModel,
  OpenApiDocumentModel,
  PreferencesModel,
  SessionListModel,
  SessionModel,
  TokenModel,
  UserListModel,
  UserModel,
} from './models';

/** `'METHOD /v1/path/:param'`, Fastify/Nest style: the keys of `httpOperations`, as of `httpRequests` (routes.ts). */
export type OperationKey = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /v1/${string}`;

/**
 * Who may call a route (the auth-api's access classes, `apps/auth-api/src/access/access.decorator.ts`);
 * it decides the operation's security requirement in the OpenAPI document.
 */
export type OperationAccess = 'public' | 'guest' | 'session' | 'partial' | 'fresh' | 'stepUp' | 'apiKey';

/** The OpenAPI description of one route; its request half is `httpRequests` (routes.ts). */
export interface HttpOperation {
  /** `service.method` as the Appwrite SDKs name it (`account.createMfaChallenge`); ours in the same style */
  operationId: string;
  tag: 'account' | 'users' | 'avatars' | 'openapi';
  summary: string;
  description?: string;
  access: OperationAccess;
  /** an older path the server keeps for older SDKs; its `operationId` ends in `Alias` unless the SDK had a name for it */
  deprecated?: boolean;
  /** the success status and its body: a model, or `null` for an empty answer (204) or a non-JSON one (`content`) */
  responses: Record<number, z.ZodType | null>;
  /** the media type of a non-JSON success body */
  content?: 'image/png' | 'text/html';
}

const op = (
  operationId: string,
  access: OperationAccess,
  summary: string,
  responses: HttpOperation['responses'],
  extra: Partial<HttpOperation> = {},
): HttpOperation => ({
  operationId,
  tag: operationId.split('.')[0] as HttpOperation['tag'],
  summary,
  access,
  responses,
  ...extra,
});
const alias = { deprecated: true } as const;

/**
 * Every route auth-api serves, with Appwrite's operation ids (the SDK method names). A test enumerates
 * the real router and fails when a route is missing here or listed here but not served.
 */
export const httpOperations = {
  // account
  'POST /v1/account': op('account.create', 'public', 'Create account', { 201: UserModel }),
  'GET /v1/account': op('account.get', 'session', 'Get account', { 200: UserModel }),
  'PATCH /v1/account/name': op('account.updateName', 'session', 'Update name', { 200: UserModel }),
  'PATCH /v1/account/password': op('account.updatePassword', 'session', 'Update password', { 200: UserModel }),
  'PATCH /v1/account/email': op('account.updateEmail', 'stepUp', 'Update email', { 200: UserModel }),
  'PATCH /v1/account/phone': op('account.updatePhone', 'stepUp', 'Update phone', { 200: UserModel }),
  'GET /v1/account/prefs': op('account.getPrefs', 'session', 'Get account preferences', { 200: PreferencesModel }),
  'PATCH /v1/account/prefs': op('account.updatePrefs', 'session', 'Update preferences', { 200: UserModel }),
  'GET /v1/account/logs': op('account.listLogs', 'session', 'List logs', { 200: LogListModel }),
  'POST /v1/account/jwts': op('account.createJWT', 'session', 'Create JWT', { 201: JwtModel }),

  // sessions
  'POST /v1/account/sessions/email': op('account.createEmailPasswordSession', 'guest', 'Create email password session', {
    201: SessionModel,
  }),
  'POST /v1/account/sessions': op(
    'account.createEmailPasswordSessionAlias',
    'guest',
    'Create email password session (older path)',
    { 201: SessionModel },
    alias,
  ),
  'GET /v1/account/sessions': op('account.listSessions', 'session', 'List sessions', { 200: SessionListModel }),
  'DELETE /v1/account/sessions': op('account.deleteSessions', 'session', 'Delete sessions', { 204: null }),
  'GET /v1/account/sessions/:sessionId': op('account.getSession', 'session', 'Get session', { 200: SessionModel }),
  'PATCH /v1/account/sessions/:sessionId': op('account.updateSession', 'session', 'Update session (extend its expiry)', {
    200: SessionModel,
  }),
  'DELETE /v1/account/sessions/:sessionId': op('account.deleteSession', 'partial', 'Delete session', { 204: null }),
  'POST /v1/account/sessions/anonymous': op('account.createAnonymousSession', 'guest', 'Create anonymous session', { 201: SessionModel }),

  // passwordless sign-in
  'POST /v1/account/tokens/email': op('account.createEmailToken', 'guest', 'Create email token (OTP)', { 201: TokenModel }),
  'POST /v1/account/tokens/magic-url': op('account.createMagicURLToken', 'guest', 'Create magic URL token', { 201: TokenModel }),
  'POST /v1/account/tokens/phone': op('account.createPhoneToken', 'guest', 'Create phone token', { 201: TokenModel }),
  'POST /v1/account/sessions/token': op('account.createSession', 'guest', 'Create session (from a token)', { 201: SessionModel }),
  'PUT /v1/account/sessions/magic-url': op(
    'account.updateMagicURLSession',
    'guest',
    'Update magic URL session',
    { 201: SessionModel },
    alias,
  ),
  'PUT /v1/account/sessions/phone': op('account.updatePhoneSession', 'guest', 'Update phone session', { 201: SessionModel }, alias),

  // password recovery
  'POST /v1/account/recovery': op('account.createRecovery', 'public', 'Create password recovery', { 201: TokenModel }),
  'PUT /v1/account/recovery': op('account.updateRecovery', 'public', 'Update password recovery (confirmation)', { 200: TokenModel }),

  // verification
  'POST /v1/account/verifications/email': op('account.createEmailVerification', 'session', 'Create email verification', {
    201: TokenModel,
  }),
  'PUT /v1/account/verifications/email': op('account.updateEmailVerification', 'public', 'Update email verification (confirmation)', {
    200: TokenModel,
  }),
  'POST /v1/account/verification': op(
    'account.createVerification',
    'session',
    'Create email verification (older path)',
    { 201: TokenModel },
    alias,
  ),
  'PUT /v1/account/verification': op(
    'account.updateVerification',
    'public',
    'Update email verification (older path)',
    { 200: TokenModel },
    alias,
  ),
  'POST /v1/account/verifications/phone': op('account.createPhoneVerification', 'session', 'Create phone verification', {
    201: TokenModel,
  }),
  'PUT /v1/account/verifications/phone': op('account.updatePhoneVerification', 'public', 'Update phone verification (confirmation)', {
    200: TokenModel,
  }),
  'POST /v1/account/verification/phone': op(
    'account.createPhoneVerificationAlias',
    'session',
    'Create phone verification (older path)',
    { 201: TokenModel },
    alias,
  ),
  'PUT /v1/account/verification/phone': op(
    'account.updatePhoneVerificationAlias',
    'public',
    'Update phone verification (older path)',
    { 200: TokenModel },
    alias,
  ),

  // account MFA
  'PATCH /v1/account/mfa': op('account.updateMfa', 'session', 'Update MFA', { 200: UserModel }),
  'GET /v1/account/mfa/factors': op('account.listMfaFactors', 'partial', 'List factors', { 200: MfaFactorsModel }),
  'POST /v1/account/mfa/authenticators/:type': op('account.createMfaAuthenticator', 'stepUp', 'Create authenticator', {
    200: MfaTypeModel,
  }),
  'PUT /v1/account/mfa/authenticators/:type': op('account.updateMfaAuthenticator', 'stepUp', 'Verify authenticator', { 200: UserModel }),
  'DELETE /v1/account/mfa/authenticators/:type': op('account.deleteMfaAuthenticator', 'fresh', 'Delete authenticator', { 204: null }),
  'POST /v1/account/mfa/challenges': op('account.createMfaChallenge', 'partial', 'Create MFA challenge', { 201: MfaChallengeModel }),
  'PUT /v1/account/mfa/challenges': op('account.updateMfaChallenge', 'partial', 'Update MFA challenge (complete it)', {
    200: SessionModel,
  }),
  'POST /v1/account/mfa/challenge': op(
    'account.createMfaChallengeAlias',
    'partial',
    'Create MFA challenge (older path)',
    { 201: MfaChallengeModel },
    alias,
  ),
  'PUT /v1/account/mfa/challenge': op(
    'account.updateMfaChallengeAlias',
    'partial',
    'Update MFA challenge (older path)',
    { 200: SessionModel },
    alias,
  ),
  'GET /v1/account/mfa/challenges/:challengeId': op('account.getMfaChallenge', 'partial', 'Get MFA challenge state (beyond Appwrite)', {
    200: MfaChallengeStateModel,
  }),
  'POST /v1/account/mfa/recovery-codes': op('account.createMfaRecoveryCodes', 'stepUp', 'Create MFA recovery codes', {
    201: MfaRecoveryCodesModel,
  }),
  'GET /v1/account/mfa/recovery-codes': op('account.getMfaRecoveryCodes', 'fresh', 'Get MFA recovery codes', {
    200: MfaRecoveryCodesModel,
  }),
  'PATCH /v1/account/mfa/recovery-codes': op('account.updateMfaRecoveryCodes', 'fresh', 'Regenerate MFA recovery codes', {
    200: MfaRecoveryCodesModel,
  }),

  // users (API key)
  'POST /v1/users': op('users.create', 'apiKey', 'Create user', { 201: UserModel }),
  'GET /v1/users': op('users.list', 'apiKey', 'List users', { 200: UserListModel }),
  'GET /v1/users/:userId': op('users.get', 'apiKey', 'Get user', { 200: UserModel }),
  'DELETE /v1/users/:userId': op('users.delete', 'apiKey', 'Delete user', { 204: null }),
  'PATCH /v1/users/:userId/name': op('users.updateName', 'apiKey', 'Update name', { 200: UserModel }),
  'PATCH /v1/users/:userId/password': op('users.updatePassword', 'apiKey', 'Update password', { 200: UserModel }),
  'PATCH /v1/users/:userId/email': op('users.updateEmail', 'apiKey', 'Update email', { 200: UserModel }),
  'PATCH /v1/users/:userId/phone': op('users.updatePhone', 'apiKey', 'Update phone', { 200: UserModel }),
  'PATCH /v1/users/:userId/verification': op('users.updateEmailVerification', 'apiKey', 'Update email verification', { 200: UserModel }),
  'PATCH /v1/users/:userId/verification/phone': op('users.updatePhoneVerification', 'apiKey', 'Update phone verification', {
    200: UserModel,
  }),
  'PATCH /v1/users/:userId/status': op('users.updateStatus', 'apiKey', 'Update user status', { 200: UserModel }),
  'PATCH /v1/users/:userId/mfa': op('users.updateMfa', 'apiKey', 'Update MFA', { 200: UserModel }),
  'GET /v1/users/:userId/prefs': op('users.getPrefs', 'apiKey', 'Get user preferences', { 200: PreferencesModel }),
  'PATCH /v1/users/:userId/prefs': op('users.updatePrefs', 'apiKey', 'Update user preferences', { 200: PreferencesModel }),
  'POST /v1/users/:userId/sessions': op('users.createSession', 'apiKey', 'Create session', { 201: SessionModel }),
  'GET /v1/users/:userId/sessions': op('users.listSessions', 'apiKey', 'List user sessions', { 200: SessionListModel }),
  'DELETE /v1/users/:userId/sessions': op('users.deleteSessions', 'apiKey', 'Delete user sessions', { 204: null }),
  'DELETE /v1/users/:userId/sessions/:sessionId': op('users.deleteSession', 'apiKey', 'Delete user session', { 204: null }),
  'GET /v1/users/:userId/logs': op('users.listLogs', 'apiKey', 'List user logs', { 200: LogListModel }),
  'GET /v1/users/:userId/mfa/factors': op('users.listMfaFactors', 'apiKey', 'List factors', { 200: MfaFactorsModel }),
  'DELETE /v1/users/:userId/mfa/authenticators/:type': op('users.deleteMfaAuthenticator', 'apiKey', 'Delete authenticator', { 204: null }),
  'DELETE /v1/users/:userId/mfa/lockouts': op('users.deleteMfaLockouts', 'apiKey', 'Clear MFA lockouts (beyond Appwrite)', { 204: null }),
  'GET /v1/users/:userId/mfa/recovery-codes': op('users.getMfaRecoveryCodes', 'apiKey', 'Get MFA recovery codes', {
    200: MfaRecoveryCodesModel,
  }),
  'PATCH /v1/users/:userId/mfa/recovery-codes': op('users.createMfaRecoveryCodes', 'apiKey', 'Create MFA recovery codes', {
    201: MfaRecoveryCodesModel,
  }),
  'PUT /v1/users/:userId/mfa/recovery-codes': op('users.updateMfaRecoveryCodes', 'apiKey', 'Regenerate MFA recovery codes', {
    200: MfaRecoveryCodesModel,
  }),

  // avatars
  'GET /v1/avatars/qr': op('avatars.getQR', 'public', 'Get QR code (PNG)', { 200: null }, { content: 'image/png' }),

  // this description
  'GET /v1/openapi.json': op('openapi.getDocument', 'public', 'Get this OpenAPI 3.1 document', { 200: OpenApiDocumentModel }),
  'GET /v1/openapi': op('openapi.getReference', 'public', 'Get the API reference page (HTML)', { 200: null }, { content: 'text/html' }),
} as const satisfies Record<OperationKey, HttpOperation>;

export type HttpOperations = Record<string, HttpOperation>;
