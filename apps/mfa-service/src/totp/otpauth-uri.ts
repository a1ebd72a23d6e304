import { TOTP_PARAMS } from './totp-algorithm';

/**
 * The Key Uri Format of Google Authenticator:
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * Both label parts and the issuer parameter are URI-encoded; the issuer appears in the label and as a
 * parameter, as recommended; neither part may contain a colon.
 */
export function otpauthUri(issuer: string, accountName: string, secret: string): string {
  if (issuer.includes(':') || accountName.includes(':')) throw new Error('issuer and account name must not contain a colon');
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountName)}`;
  const params = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${TOTP_PARAMS.algorithm.toUpperCase()}`,
    `digits=${TOTP_PARAMS.digits}`,
    `period=${TOTP_PARAMS.period}`,
  ];
  return `otpauth://totp/${label}?${params.join('&')}`;
}
