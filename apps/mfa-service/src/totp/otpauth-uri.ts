import { generateTOTP } from '@otplib/uri';
import { TOTP_PARAMS } from './totp-algorithm';

/**
 * The Key Uri Format of Google Authenticator, built by otplib:
 * `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * Both label parts and the issuer parameter are URI-encoded; the issuer appears in the label and as a
 * parameter, as recommended; neither part may contain a colon.
 *
 * otplib leaves out parameters that equal the format's defaults (SHA1, 6, 30); the format's own advice is
 * to state them anyway (some apps have other defaults), so they are appended here.
 */
export function otpauthUri(issuer: string, accountName: string, secret: string): string {
  if (issuer.includes(':') || accountName.includes(':')) throw new Error('issuer and account name must not contain a colon');
  const { algorithm, digits, period } = TOTP_PARAMS;
  const uri = generateTOTP({ issuer, label: accountName, secret, algorithm, digits, period });
  const stated = new URL(uri).searchParams;
  const explicit = [
    ['algorithm', algorithm.toUpperCase()],
    ['digits', String(digits)],
    ['period', String(period)],
  ].filter(([name]) => !stated.has(name));
  return explicit.length === 0 ? uri : `${uri}&${explicit.map(([name, value]) => `${name}=${value}`).join('&')}`;
}
