/**
 * mfa-service's own injection token; the ones every service shares (LOGGER, METRICS, CLOCK, REDIS, queues)
 * are in @twostep/platform.
 */
/** the keyring that encrypts TOTP secrets and recovery codes at rest (`MFA_ENCRYPTION_KEY`) */
export const MFA_KEYRING = Symbol('MFA_KEYRING');
