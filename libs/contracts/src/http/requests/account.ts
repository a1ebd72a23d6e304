import { z } from 'zod';
import { customId, displayName, emailAddress, jsonObject, password, smsPhone } from '../../schemas/primitives';

/** `POST /v1/account`: sign-up. */
export const createAccountBody = z.object({
  userId: customId(),
  email: emailAddress(),
  password: password(),
  name: displayName(128).optional().default(''),
});
export type CreateAccountBody = z.output<typeof createAccountBody>;

export const updateNameBody = z.object({ name: displayName(128) });
export type UpdateNameBody = z.output<typeof updateNameBody>;

export const updatePasswordBody = z.object({ password: password(), oldPassword: password().optional() });
export type UpdatePasswordBody = z.output<typeof updatePasswordBody>;

export const updateEmailBody = z.object({ email: emailAddress(), password: password() });
export type UpdateEmailBody = z.output<typeof updateEmailBody>;

export const updatePhoneBody = z.object({ phone: smsPhone(), password: password() });
export type UpdatePhoneBody = z.output<typeof updatePhoneBody>;

export const updatePrefsBody = z.object({ prefs: jsonObject() });
export type UpdatePrefsBody = z.output<typeof updatePrefsBody>;
