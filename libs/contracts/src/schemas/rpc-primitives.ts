import { z } from 'zod';
import { CONTROL_CHARACTERS, CONTROL_CHARACTERS_ALL, DESCRIPTIONS, GENERATED_ID_PATTERN } from './primitives';

/**
 * Building blocks of the RPC and job schemas (branch rpcschema), on top of {@link ./primitives}.
 */

/** The canonical factor names (what is stored and what appears in `session.factors`). */
export const MFA_FACTOR_NAMES = ['totp', 'email', 'phone', 'recoveryCode'] as const;

/** Longest display text (a user's name, a browser's name) carried into a message. */
export const MAX_DISPLAY_TEXT = 128;

/**
 * Optional display text only shown inside a message (user name, client names): rather than refusing the
 * message it is cleaned (control characters removed, trimmed, cut to 128 characters); absent, `null` or
 * empty after cleaning: `undefined`. Not a string: refused.
 */
export const cleanDisplayText = () =>
  z
    .string({ error: DESCRIPTIONS.text(MAX_DISPLAY_TEXT) })
    .nullish()
    .transform((s) => {
      if (s === undefined || s === null) return undefined;
      const clean = s.replace(CONTROL_CHARACTERS_ALL, '').trim().slice(0, MAX_DISPLAY_TEXT);
      return clean.length > 0 ? clean : undefined;
    })
    .optional();

/** Required plain text of 1..`max` characters, not blank, without control characters (`:` refused with `noColon`). */
export const plainText = (max: number, opts: { noColon?: boolean } = {}) => {
  const error = DESCRIPTIONS.text(max, 1);
  return z
    .string({ error })
    .refine((s) => s.trim().length > 0 && [...s].length <= max && !CONTROL_CHARACTERS.test(s) && !(opts.noColon && s.includes(':')), {
      error,
    });
};

/** What the user's client looked like when a message was asked for (shown in the email). Not secret. */
export const requesterInfo = () =>
  z.object({
    clientName: cleanDisplayText(),
    osName: cleanDisplayText(),
    deviceName: cleanDisplayText(),
  });
export type RequesterInfo = z.output<ReturnType<typeof requesterInfo>>;

/**
 * Issue params marking a field whose malformed value is not a bad argument but an unknown credential
 * or reference (a challenge id, a code): Appwrite answers those `user_invalid_token`, as for a wrong one.
 */
export const INVALID_TOKEN_ISSUE = { appwriteType: 'user_invalid_token' } as const;

/**
 * A reference to an id this product generated (challenge ids: 20 lower-case hex). Anything else cannot
 * name one: `user_invalid_token`, like an unknown id.
 */
export const generatedIdRef = () =>
  z
    .string({ error: DESCRIPTIONS.uid })
    .refine((s) => GENERATED_ID_PATTERN.test(s), { error: DESCRIPTIONS.uid, params: INVALID_TOKEN_ISSUE });

/** A string that is turned into a code check failure (`user_invalid_token`) unless `pattern` matches it. */
export const credentialShape = (test: (s: string) => boolean, description: string) =>
  z.string({ error: description }).refine(test, { error: description, params: INVALID_TOKEN_ISSUE });

/** An ISO 8601 UTC timestamp as `Date.prototype.toISOString()` writes it. */
export const isoTimestamp = () => z.iso.datetime({ error: 'Value must be a valid ISO 8601 date' });

/** A request id carried for the logs (an `X-Request-Id` header, an RPC message's or a job's `requestId`): a short `[A-Za-z0-9._-]` string; anything else is dropped (never refused). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const optionalRequestId = () => z.string().regex(REQUEST_ID_PATTERN).optional().catch(undefined);
