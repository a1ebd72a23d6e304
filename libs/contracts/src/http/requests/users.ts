import { z } from 'zod';
import { customId, displayName, emailAddress, jsonObject, password, smsPhone, strictBoolean, text, uid } from '../../schemas/primitives';
import { listQueries } from './common';

/** `POST /v1/users`. */
export const createUserBody = z.object({
  userId: customId(),
  email: emailAddress().optional(),
  phone: smsPhone().optional(),
  password: password().optional(),
  name: displayName(128).optional().default(''),
});
export type CreateUserBody = z.output<typeof createUserBody>;

/** `GET /v1/users`: a page, optionally filtered by a search term (id, email, name or phone). */
export const listUsersQuery = z.object({ queries: listQueries(), search: text(256).optional() });
export type ListUsersQuery = z.output<typeof listUsersQuery>;

export const updateUserNameBody = z.object({ name: displayName(128) });
export const updateUserPasswordBody = z.object({ password: password() });
export const updateUserEmailBody = z.object({ email: emailAddress() });
export const updateUserPhoneBody = z.object({ number: smsPhone() });
export const updateUserEmailVerificationBody = z.object({ emailVerification: strictBoolean() });
export const updateUserPhoneVerificationBody = z.object({ phoneVerification: strictBoolean() });
export const updateUserStatusBody = z.object({ status: strictBoolean() });
export const updateUserPrefsBody = z.object({ prefs: jsonObject() });
export type UpdateUserNameBody = z.output<typeof updateUserNameBody>;
export type UpdateUserPasswordBody = z.output<typeof updateUserPasswordBody>;
export type UpdateUserEmailBody = z.output<typeof updateUserEmailBody>;
export type UpdateUserPhoneBody = z.output<typeof updateUserPhoneBody>;
export type UpdateUserEmailVerificationBody = z.output<typeof updateUserEmailVerificationBody>;
export type UpdateUserPhoneVerificationBody = z.output<typeof updateUserPhoneVerificationBody>;
export type UpdateUserStatusBody = z.output<typeof updateUserStatusBody>;
export type UpdateUserPrefsBody = z.output<typeof updateUserPrefsBody>;

/** `/v1/users/:userId/sessions/:sessionId`. */
export const userSessionParams = z.object({ userId: uid(), sessionId: uid() });
export type UserSessionParams = z.output<typeof userSessionParams>;
