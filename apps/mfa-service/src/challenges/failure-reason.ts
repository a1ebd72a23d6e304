/** Why a code verification (challenge or TOTP enrollment) was refused: bounded values, never anything secret. */
export type FailureReason = 'wrong_code' | 'replayed_step' | 'malformed_code' | 'invalid_challenge' | 'locked' | 'no_attempts_left';
