/**
 * The Appwrite error catalog: every `type` the API can answer with, its HTTP status and default message.
 * Persisted API: SDKs switch on these strings. Add a type here and the compiler makes every mapping complete.
 */
export const ERROR_CATALOG = {
  general_argument_invalid: { code: 400, message: 'Invalid parameter.' },
  general_bad_request: { code: 400, message: 'There was an error processing your request.' },
  general_unauthorized_scope: { code: 401, message: 'User (role: guests) missing scopes (["account"])' },
  general_access_forbidden: { code: 401, message: 'Access to this API is forbidden.' },
  general_route_not_found: { code: 404, message: 'The requested route was not found. Please refer to the API docs and try again.' },
  general_not_implemented: { code: 405, message: 'This method was not fully implemented yet.' },
  general_payload_too_large: { code: 413, message: 'The request body is too large.' },
  general_unsupported_media_type: { code: 415, message: 'Unsupported content type. Send application/json.' },
  general_rate_limit_exceeded: {
    code: 429,
    message: 'Rate limit for the current endpoint has been exceeded. Please try again after some time.',
  },
  general_smtp_disabled: { code: 503, message: 'SMTP disabled' },
  general_phone_disabled: { code: 503, message: 'Phone provider not configured' },
  general_service_unavailable: { code: 503, message: 'The service is temporarily unavailable. Please try again.' },
  general_unknown: { code: 500, message: 'Server Error' },
  project_not_found: { code: 404, message: 'Project with the requested ID could not be found.' },
  user_not_found: { code: 404, message: 'User with the requested ID could not be found.' },
  user_already_exists: { code: 409, message: 'A user with the same id, email, or phone already exists in this project.' },
  user_blocked: { code: 403, message: 'The current user has been blocked.' },
  user_invalid_token: { code: 401, message: 'Invalid token passed in the request.' },
  user_invalid_credentials: { code: 401, message: 'Invalid credentials. Please check the email and password.' },
  user_unauthorized: { code: 401, message: 'The current user is not authorized to perform the requested action.' },
  user_password_mismatch: { code: 400, message: 'Passwords do not match. Please check the password and confirm password.' },
  user_session_not_found: { code: 404, message: 'The current user session could not be found.' },
  user_session_already_exists: { code: 401, message: 'Creation of a session is prohibited when a session is active.' },
  user_email_already_exists: { code: 409, message: 'A user with the same email already exists in the current project.' },
  user_phone_already_exists: { code: 409, message: 'A user with the same phone number already exists in the current project.' },
  user_email_not_found: { code: 400, message: 'User email could not be found.' },
  user_email_not_verified: { code: 400, message: 'User email is not verified' },
  user_phone_not_found: { code: 400, message: 'The current user does not have a phone number associated with their account.' },
  user_phone_not_verified: { code: 400, message: 'User phone is not verified' },
  user_more_factors_required: { code: 401, message: 'More factors are required to complete the sign in process.' },
  user_challenge_required: {
    code: 401,
    message: 'A recently successful challenge is required to complete this action. A challenge is considered recent for 30 minutes.',
  },
  user_authenticator_not_found: { code: 404, message: 'Authenticator could not be found on the current user.' },
  user_authenticator_already_verified: { code: 409, message: 'This authenticator is already verified on the current user.' },
  user_recovery_codes_not_found: { code: 404, message: 'Recovery codes could not be found on the current user.' },
  user_recovery_codes_already_exists: {
    code: 409,
    message: 'The current user already generated recovery codes and they can only be read once for security reasons.',
  },
  user_auth_method_unsupported: { code: 501, message: 'The requested authentication method is either disabled or unsupported.' },
  user_api_key_and_session_set: {
    code: 403,
    message: 'API key and session used in the same request. Use either `setSession` or `setKey`.',
  },
  user_jwt_invalid: {
    code: 401,
    message: 'The JWT token is invalid. Please check the value of the X-Appwrite-JWT header to ensure the correct token is being used.',
  },
  user_jwt_and_cookie_set: {
    code: 403,
    message: 'Cannot use both a JWT and a session in the same request. Use either `setJWT` or `setSession`.',
  },
  user_count_exceeded: { code: 400, message: 'The current project has exceeded the maximum number of users.' },
} as const satisfies Record<string, { code: number; message: string }>;

export type ErrorType = keyof typeof ERROR_CATALOG;

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOG, value);
}

/** The JSON body of every error response: `{message, code, type, version}`. */
export interface AppwriteErrorBody {
  message: string;
  code: number;
  type: ErrorType;
  version: string;
}

/**
 * A domain error carrying an Appwrite `type`. Thrown by services on both sides of the RPC boundary;
 * one HTTP filter turns it into the error body, one RPC filter into {@link RpcErrorPayload}.
 */
/**
 * Why a refusal deserves the account holder's attention, for the service that can tell them. Crosses
 * the RPC boundary; never part of an HTTP response (the client sees the same error either way).
 */
export type AppErrorSignal = 'totp-replay' | 'factor-locked';

const APP_ERROR_SIGNALS: readonly AppErrorSignal[] = ['totp-replay', 'factor-locked'];

export class AppError extends Error {
  readonly type: ErrorType;
  readonly code: number;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;
  readonly signal?: AppErrorSignal;

  constructor(type: ErrorType, message?: string, options?: { retryAfterSeconds?: number; cause?: unknown; signal?: AppErrorSignal }) {
    super(message ?? ERROR_CATALOG[type].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.type = type;
    this.code = ERROR_CATALOG[type].code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.signal = options?.signal;
  }
}

/** How an {@link AppError} crosses the TCP boundary between mfa-service and auth-api. */
export interface RpcErrorPayload {
  kind: 'app-error';
  type: ErrorType;
  message: string;
  retryAfterSeconds?: number;
  signal?: AppErrorSignal;
}

export function toRpcErrorPayload(error: AppError): RpcErrorPayload {
  return {
    kind: 'app-error',
    type: error.type,
    message: error.message,
    retryAfterSeconds: error.retryAfterSeconds,
    ...(error.signal ? { signal: error.signal } : {}),
  };
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as RpcErrorPayload).kind === 'app-error' &&
    isErrorType((value as RpcErrorPayload).type) &&
    typeof (value as RpcErrorPayload).message === 'string'
  );
}

export function fromRpcErrorPayload(payload: RpcErrorPayload): AppError {
  return new AppError(payload.type, payload.message, {
    retryAfterSeconds: payload.retryAfterSeconds,
    ...(payload.signal !== undefined && APP_ERROR_SIGNALS.includes(payload.signal) ? { signal: payload.signal } : {}),
  });
}
