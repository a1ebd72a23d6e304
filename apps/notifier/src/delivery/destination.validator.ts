import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { CONTROL_CHARACTERS, DeliveryFailureReason, EMAIL_PATTERN } from '@twostep/contracts';
import { DeliveryError } from './delivery-error';

/**
 * An email destination, or a permanent `invalid_destination` failure: CR/LF or any control
 * character (header injection, {@link CONTROL_CHARACTERS}), anything but one plain addr-spec (no display
 * name, list, quoting or comments: {@link EMAIL_PATTERN}), longer than 254 characters.
 */
export function emailDestination(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 254 ||
    CONTROL_CHARACTERS.test(value) ||
    !EMAIL_PATTERN.test(value)
  ) {
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
  if (typeof value !== 'string' || !value.startsWith('+') || value.length > 20 || CONTROL_CHARACTERS.test(value)) {
    throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'phone number rejected');
  }
  const phone = parsePhoneNumberFromString(value);
  if (!phone || !phone.isPossible()) throw DeliveryError.permanent(DeliveryFailureReason.InvalidDestination, 'phone number rejected');
  return { e164: phone.number, country: phone.isValid() ? phone.country : undefined };
}
