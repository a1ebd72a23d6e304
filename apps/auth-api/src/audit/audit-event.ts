/**
 * The events of the audit log (the Log model's `event`). Persisted: rename none. Never carries a
 * secret, an address or a code; who and from where are separate columns.
 */
export const AuditEvent = {
  /** a session was opened; the suffix is the sign-in method */
  sessionCreate: (method: 'password' | 'email' | 'magic-url' | 'phone' | 'anonymous' | 'server') => `session.create.${method}` as const,
  /** a sign-in was refused for an existing account: wrong password, or a wrong/used/expired sign-in token */
  sessionCreateFailure: (method: 'password' | 'token') => `session.create.failure.${method}` as const,
  SessionDelete: 'session.delete',
  SessionsDelete: 'sessions.delete',
  MfaEnable: 'mfa.enable',
  MfaDisable: 'mfa.disable',
  AuthenticatorCreate: 'mfa.authenticator.create',
  AuthenticatorDelete: 'mfa.authenticator.delete',
  RecoveryCodesCreate: 'mfa.recovery-codes.create',
  RecoveryCodesUpdate: 'mfa.recovery-codes.update',
  /** a challenge was completed; the suffix is the factor */
  challengeSuccess: (factor: string) => `mfa.challenge.success.${factor}` as const,
  ChallengeFailure: 'mfa.challenge.failure',
  ChallengeLockout: 'mfa.challenge.lockout',
  RecoveryCodeUse: 'mfa.recovery-code.use',
  PasswordUpdate: 'account.update.password',
  PasswordReset: 'account.recovery.update',
  EmailUpdate: 'account.update.email',
  PhoneUpdate: 'account.update.phone',
} as const;
