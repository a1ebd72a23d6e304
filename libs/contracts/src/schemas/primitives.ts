import { z } from 'zod';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The shared building blocks of every message schema (HTTP, RPC, jobs): each pattern and rule is written
 * here once. Every schema's error message is Appwrite's description of the rule (utopia-php/http's
 * validator descriptions), so a transport formats a failure as ``Invalid `name` param: <message>``
 * (see {@link appwriteParamError}).
 */

/** C0/C1 control characters and the Unicode line/paragraph separators: never in names, URLs or headers. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The same, global, for stripping. */
export const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, 'g');

/** An email address as Appwrite's Email validator accepts it (no whitespace, no control characters). */
export const EMAIL_PATTERN =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** Appwrite's UID: up to 36 of a-z A-Z 0-9 . - _, not starting with a special character. */
export const UID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/;
/** Ids this product generates (`uniqueId()`): 20 lower-case hex characters. */
export const GENERATED_ID_PATTERN = /^[0-9a-f]{20}$/;
/** A one-time code (authenticator app, email, SMS, sign-in token): exactly six ASCII digits. */
export const OTP_CODE_PATTERN = /^[0-9]{6}$/;
/** A recovery code as issued: 16 lower-case hex characters. */
export const RECOVERY_CODE_PATTERN = /^[0-9a-f]{16}$/;
/** What a user may type as a recovery code (case and dashes are normalised by its owner). */
export const RECOVERY_CODE_INPUT_PATTERN = /^[0-9A-Za-z-]{8,64}$/;
/** The secret of an emailed link (verification, magic URL, password recovery): 64 lower-case hex. */
export const LINK_SECRET_PATTERN = /^[0-9a-f]{64}$/;
/** E.164: `+`, then up to fifteen digits, no leading zero. */
export const E164_PATTERN = /^\+[1-9][0-9]{6,14}$/;
/** A BCP 47-looking locale tag (`en`, `fr-CA`, `zh-Hant-TW`). */
export const LOCALE_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
export const LOCALE_MAX_LENGTH = 35;

/** Appwrite's descriptions, the messages of the schemas below. */
export const DESCRIPTIONS = {
  email: 'Value must be a valid email address',
  uid: "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
  password: 'Password must be between 8 and 256 characters long.',
  boolean: 'Value must be a valid boolean',
  url: 'Value must be a valid URL',
  phone: "Phone number must start with a '+' can have a maximum of fifteen digits.",
  object: 'Value must be a valid object.',
  otpCode: 'Value must be a 6-digit code',
  challengeOtp: 'Value must be a 6-digit code or a recovery code',
  text: (max: number, min = 0) =>
    min > 0
      ? `Value must be a valid string and at least ${min} chars and no longer than ${max} chars`
      : `Value must be a valid string and no longer than ${max} chars`,
  integer: (min: number, max: number) => `Value must be a valid range between ${min} and ${max}`,
  oneOf: (values: readonly string[]) => `Value must be one of (${values.join(', ')})`,
} as const;

/** Length in characters (code points), as Appwrite counts, not UTF-16 units or bytes. */
const charLength = (s: string): number => [...s].length;

/** Text(max, min): a string of `min`..`max` characters. */
export const text = (max: number, min = 0) => {
  const error = DESCRIPTIONS.text(max, min);
  return z.string({ error }).refine((s) => charLength(s) >= min && charLength(s) <= max, { error });
};

/** A display name: Text(max) without control characters (they would reach email headers). */
export const displayName = (max = 128) => {
  const error = DESCRIPTIONS.text(max);
  return z.string({ error }).refine((s) => charLength(s) <= max && !CONTROL_CHARACTERS.test(s), { error });
};

/** An email address, lower-cased: at most 254 characters, a local part of 1-64. */
export const emailAddress = () =>
  z
    .string({ error: DESCRIPTIONS.email })
    .refine(
      (s) => {
        if (s.length > 254) return false;
        const at = s.lastIndexOf('@');
        return at >= 1 && at <= 64 && EMAIL_PATTERN.test(s);
      },
      { error: DESCRIPTIONS.email },
    )
    .transform((s) => s.toLowerCase());

/** Appwrite's Password validator: 8 to 256 characters. */
export const password = () =>
  z.string({ error: DESCRIPTIONS.password }).refine((s) => charLength(s) >= 8 && charLength(s) <= 256, { error: DESCRIPTIONS.password });

/** A strict JSON boolean (`"true"` and `1` are refused). */
export const strictBoolean = () => z.boolean({ error: DESCRIPTIONS.boolean });

/** Appwrite's UID (user ids, session ids, factor ids in paths). */
export const uid = () => z.string({ error: DESCRIPTIONS.uid }).regex(UID_PATTERN, { error: DESCRIPTIONS.uid });

/** Appwrite's CustomId: a UID or the literal `unique()`. */
export const customId = () =>
  z.string({ error: DESCRIPTIONS.uid }).refine((s) => s === 'unique()' || UID_PATTERN.test(s), { error: DESCRIPTIONS.uid });

/** An id this product generated (challenge ids). */
export const generatedId = () => z.string({ error: DESCRIPTIONS.uid }).regex(GENERATED_ID_PATTERN, { error: DESCRIPTIONS.uid });

/** A six-digit one-time code. */
export const otpCode = () => z.string({ error: DESCRIPTIONS.otpCode }).regex(OTP_CODE_PATTERN, { error: DESCRIPTIONS.otpCode });

/** The `otp` of a challenge: a six-digit code or something shaped like a recovery code. */
export const challengeOtp = () =>
  z
    .string({ error: DESCRIPTIONS.challengeOtp })
    .refine((s) => OTP_CODE_PATTERN.test(s) || RECOVERY_CODE_INPUT_PATTERN.test(s), { error: DESCRIPTIONS.challengeOtp });

/** The secret of an emailed link. */
export const linkSecret = () => z.string({ error: DESCRIPTIONS.text(256) }).regex(LINK_SECRET_PATTERN, { error: DESCRIPTIONS.text(256) });

/** A locale tag. */
export const locale = () =>
  z
    .string()
    .max(LOCALE_MAX_LENGTH)
    .regex(LOCALE_PATTERN, { error: DESCRIPTIONS.text(LOCALE_MAX_LENGTH) });

/**
 * An absolute http(s) URL without credentials or control characters, optionally restricted to hosts
 * (`host` or `host:port`, matched case-insensitively); `allowedHosts` is read at validation time, so it
 * can follow configuration.
 */
export const httpUrl = (allowedHosts?: () => readonly string[]) =>
  z.string({ error: DESCRIPTIONS.url }).refine(
    (s) => {
      if (s.length > 2048 || CONTROL_CHARACTERS.test(s)) return false;
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        return false;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      if (url.username || url.password) return false;
      const hosts = allowedHosts?.() ?? [];
      return hosts.length === 0 || hosts.includes(url.hostname.toLowerCase()) || hosts.includes(url.host.toLowerCase());
    },
    { error: DESCRIPTIONS.url },
  );

/** Why a phone number was refused for SMS (no number in it). */
export const SMS_INCAPABLE_MESSAGE =
  'This phone number cannot receive SMS codes (premium-rate, shared-cost, toll-free, landline or unknown type).';

/**
 * Whether `value` is a valid E.164 number of a type that receives SMS without extra cost: MOBILE, or
 * FIXED_LINE_OR_MOBILE (the US, Canada and other NANP regions do not tell the two apart). libphonenumber's
 * `max` metadata gives the type. Premium-rate, shared-cost, toll-free, landline, pager, VoIP and unknown
 * types are refused, so nobody can make us pay to text them.
 */
export function smsCapablePhone(value: string): boolean {
  if (!E164_PATTERN.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid() || parsed.number !== value) return false;
  const type = parsed.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** An E.164 number that can receive an SMS at a normal price. */
export const smsPhone = () => z.string({ error: DESCRIPTIONS.phone }).refine(smsCapablePhone, { error: DESCRIPTIONS.phone });

/** An E.164 number (shape only; for numbers already checked at the edge). */
export const e164 = () => z.string({ error: DESCRIPTIONS.phone }).regex(E164_PATTERN, { error: DESCRIPTIONS.phone });

/** One of `values`; with `caseInsensitive` the canonical spelling comes out (the description lists lower case). */
export const oneOf = <const T extends string>(values: readonly [T, ...T[]], opts: { caseInsensitive?: boolean } = {}) => {
  const error = DESCRIPTIONS.oneOf(opts.caseInsensitive ? values.map((x) => x.toLowerCase()) : values);
  if (!opts.caseInsensitive) return z.enum(values, { error });
  return z
    .string({ error })
    .refine((s) => values.some((x) => x.toLowerCase() === s.toLowerCase()), { error })
    .transform((s) => values.find((x) => x.toLowerCase() === s.toLowerCase()) as T);
};

/** A plain JSON object whose serialisation fits in `maxBytes` (Appwrite's Assoc). */
export const jsonObject = (maxBytes = 65_535) =>
  z
    .record(z.string(), z.unknown(), { error: DESCRIPTIONS.object })
    .refine((o) => Buffer.byteLength(JSON.stringify(o)) <= maxBytes, { error: DESCRIPTIONS.object });

/** An integer in `[min, max]`: a JSON number, or a decimal string (query strings carry only strings). */
export const integerInRange = (min: number, max: number) => {
  const error = DESCRIPTIONS.integer(min, max);
  return z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d{1,10}$/.test(v) ? Number(v) : v),
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
};

/** A boolean as a query string carries it (`true`/`false`/`1`/`0`), or a JSON boolean. */
export const queryBoolean = () =>
  z.preprocess(
    (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
    z.boolean({ error: DESCRIPTIONS.boolean }),
  );
