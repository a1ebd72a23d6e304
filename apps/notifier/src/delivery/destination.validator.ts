import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DeliveryFailureReason } from '@twostep/contracts';
import { DeliveryError } from './delivery-error';

/** Any control character, CR and LF included: a destination holding one is never sent to. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A plain addr-spec: no display name, no list, no quoting, no comments. */
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * An email destination, or a permanent `invalid_destination` failure: CR/LF or any control
 * character (header injection), anything but one plain address, longer than 254 characters.
 */
export function emailDestination(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 254 || CONTROL.test(value) || !EMAIL.test(value)) {
    throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'email address rejected');
  }
  const local = value.slice(0, value.lastIndexOf('@'));
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'email address rejected');
  }
  return value;
}

export interface PhoneDestination {
  /** E.164 */
  e164: string;
  /** ISO 3166 region, when the number is valid for one */
  country?: string;
}

/**
 * An SMS destination in E.164, or a permanent `invalid_destination` failure. The country is known
 * only for a number valid in the current numbering plans (libphonenumber max metadata).
 */
export function phoneDestination(value: unknown): PhoneDestination {
  if (typeof value !== 'string' || !value.startsWith('+') || value.length > 20 || CONTROL.test(value)) {
    throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'phone number rejected');
  }
  const phone = parsePhoneNumberFromString(value);
  if (!phone || !phone.isPossible()) throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'phone number rejected');
  return { e164: phone.number, country: phone.isValid() ? phone.country : undefined };
}
