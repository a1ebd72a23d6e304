import { PipeTransform } from '@nestjs/common';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '@twostep/contracts';

/**
 * A small declarative parameter validator with Appwrite's (utopia-php/http) messages:
 *  - missing required param: `Param "otp" is not optional.`
 *  - invalid value: ``Invalid `email` param: Value must be a valid email address``
 * Only declared params come out (unknown body fields are dropped, never mass-assigned); values are
 * type-checked strictly (a JSON number is not a string, `"true"` is not a boolean).
 */
export interface Validator<T> {
  /** the validator's description, used in the error message */
  readonly description: string;
  /** the value, possibly normalised, or `undefined` when it is invalid */
  check(value: unknown): T | undefined;
}

interface ParamSpec<T> {
  validator: Validator<T>;
  optional: boolean;
  defaultValue?: T;
}

export type ParamSchema = Record<string, ParamSpec<unknown>>;
export type ParamsOf<S extends ParamSchema> = {
  [K in keyof S]: S[K] extends ParamSpec<infer T> ? (S[K]['optional'] extends true ? T | undefined : T) : never;
};

/** A required param. */
export function required<T>(validator: Validator<T>): ParamSpec<T> & { optional: false } {
  return { validator, optional: false };
}

/** An optional param; `undefined` or `null` yields `defaultValue`. */
export function optional<T>(validator: Validator<T>, defaultValue?: T): ParamSpec<T> & { optional: true } {
  return { validator, optional: true, defaultValue };
}

export function invalidParam(name: string, description: string): AppError {
  return new AppError('general_argument_invalid', `Invalid \`${name}\` param: ${description}`);
}

/** Validates `input` (a parsed JSON body, query or path params) against `schema`. */
export function validateParams<S extends ParamSchema>(input: unknown, schema: S): ParamsOf<S> {
  const source: Record<string, unknown> = isPlainObject(input) ? input : {};
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const raw = Object.prototype.hasOwnProperty.call(source, name) ? source[name] : undefined;
    if (raw === undefined || raw === null) {
      if (!spec.optional) throw new AppError('general_argument_invalid', `Param "${name}" is not optional.`);
      out[name] = spec.defaultValue;
      continue;
    }
    const value = spec.validator.check(raw);
    if (value === undefined) throw invalidParam(name, spec.validator.description);
    out[name] = value;
  }
  return out as ParamsOf<S>;
}

/** A Nest pipe: `@Body(params({ email: required(v.email()) }))`. */
export function params<S extends ParamSchema>(schema: S): PipeTransform<unknown, ParamsOf<S>> {
  return { transform: (value: unknown) => validateParams(value, schema) };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const CUSTOM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The validators, named after Appwrite's. */
export const v = {
  /** Text(max, min): a string of `min`..`max` characters (Appwrite counts characters, not bytes). */
  text(max: number, min = 0): Validator<string> {
    const description =
      min > 0
        ? `Value must be a valid string and at least ${min} chars and no longer than ${max} chars`
        : `Value must be a valid string and no longer than ${max} chars`;
    return {
      description,
      check: (value) => {
        if (typeof value !== 'string') return undefined;
        const length = [...value].length;
        return length >= min && length <= max ? value : undefined;
      },
    };
  },

  /** A display name: Text(max) without control characters (they would reach email headers). */
  name(max = 128): Validator<string> {
    const text = v.text(max);
    return {
      description: `Value must be a valid string and no longer than ${max} chars`,
      check: (value) => {
        const s = text.check(value);
        return s !== undefined && !CONTROL.test(s) ? s : undefined;
      },
    };
  },

  /** An email address, lower-cased. No whitespace or control characters (no header injection). */
  email(): Validator<string> {
    return {
      description: 'Value must be a valid email address',
      check: (value) => {
        if (typeof value !== 'string' || value.length > 254) return undefined;
        const at = value.lastIndexOf('@');
        if (at < 1 || at > 64 || !EMAIL.test(value)) return undefined;
        return value.toLowerCase();
      },
    };
  },

  /** Appwrite's Password validator: 8 to 256 characters. */
  password(): Validator<string> {
    return {
      description: 'Password must be between 8 and 256 characters long.',
      check: (value) => {
        if (typeof value !== 'string') return undefined;
        const length = [...value].length;
        return length >= 8 && length <= 256 ? value : undefined;
      },
    };
  },

  /** Strict JSON boolean (`"true"` and `1` are rejected). */
  boolean(): Validator<boolean> {
    return { description: 'Value must be a valid boolean', check: (value) => (typeof value === 'boolean' ? value : undefined) };
  },

  /** Appwrite's UID: up to 36 of a-z A-Z 0-9 . - _, not starting with a special char. */
  uid(): Validator<string> {
    return {
      description:
        "Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can't start with a special char",
      check: (value) => (typeof value === 'string' && CUSTOM_ID.test(value) ? value : undefined),
    };
  },

  /** Appwrite's CustomId: a UID or `unique()`. */
  customId(): Validator<string> {
    const uid = v.uid();
    return { description: uid.description, check: (value) => (value === 'unique()' ? value : uid.check(value)) };
  },

  /** An absolute http(s) URL, optionally restricted to hosts (`host` or `host:port`). */
  url(allowedHosts?: () => readonly string[]): Validator<URL> {
    return {
      description: 'Value must be a valid URL',
      check: (value) => {
        if (typeof value !== 'string' || value.length > 2048 || CONTROL.test(value)) return undefined;
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          return undefined;
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
        if (url.username || url.password) return undefined;
        const hosts = allowedHosts?.() ?? [];
        if (hosts.length > 0 && !hosts.includes(url.hostname.toLowerCase()) && !hosts.includes(url.host.toLowerCase())) return undefined;
        return url;
      },
    };
  },

  /**
   * An E.164 phone number that libphonenumber considers valid and that can receive an SMS at a normal
   * price (see {@link smsCapablePhone}): premium-rate, shared-cost, toll-free, landline, pager, VoIP or
   * unknown-type numbers are refused, so nobody can make us pay to text them.
   */
  phone(): Validator<string> {
    return {
      description: "Phone number must start with a '+' can have a maximum of fifteen digits.",
      check: (value) => (typeof value === 'string' && smsCapablePhone(value) ? value : undefined),
    };
  },

  /** One of `values`; `caseInsensitive` returns the canonical spelling. */
  whitelist<const T extends string>(values: readonly T[], opts: { caseInsensitive?: boolean } = {}): Validator<T> {
    const shown = opts.caseInsensitive ? values.map((x) => x.toLowerCase()) : values;
    return {
      description: `Value must be one of (${shown.join(', ')})`,
      check: (value) => {
        if (typeof value !== 'string') return undefined;
        if (opts.caseInsensitive) return values.find((x) => x.toLowerCase() === value.toLowerCase());
        return values.find((x) => x === value);
      },
    };
  },

  /** Appwrite's Assoc: a JSON object whose serialisation fits in `maxBytes`. */
  object(maxBytes = 65_535): Validator<Record<string, unknown>> {
    return {
      description: 'Value must be a valid object.',
      check: (value) => (isPlainObject(value) && Buffer.byteLength(JSON.stringify(value)) <= maxBytes ? value : undefined),
    };
  },

  /** An integer in `[min, max]` (JSON number, or a decimal string from a query string). */
  integer(min: number, max: number): Validator<number> {
    return {
      description: `Value must be a valid range between ${min} and ${max}`,
      check: (value) => {
        const n = typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value;
        return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
      },
    };
  },
};

/** Why a phone number was refused for SMS (no number in it). */
export const SMS_INCAPABLE_MESSAGE =
  'This phone number cannot receive SMS codes (premium-rate, shared-cost, toll-free, landline or unknown type).';

/**
 * Whether `value` is a valid E.164 number of a type that receives SMS without extra cost: MOBILE, or
 * FIXED_LINE_OR_MOBILE (the US, Canada and other NANP regions do not tell the two apart). libphonenumber's
 * `max` metadata gives the type.
 */
export function smsCapablePhone(value: string): boolean {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid() || parsed.number !== value) return false;
  const type = parsed.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}
