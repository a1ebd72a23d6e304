import { z } from 'zod';
import { customId, emailAddress, httpUrl, smsPhone, strictBoolean } from '../../schemas/primitives';
import type { HttpRequestOptions } from './common';

/** `POST /v1/account/tokens/email`: a six-digit code by email. */
export const createEmailTokenBody = z.object({
  userId: customId(),
  email: emailAddress(),
  phrase: strictBoolean().optional().default(false),
});
export type CreateEmailTokenBody = z.output<typeof createEmailTokenBody>;

/** `POST /v1/account/tokens/magic-url`: a link by email, to one of the allowed link hosts. */
export const createMagicUrlTokenBody = (options: HttpRequestOptions = {}) =>
  z.object({
    userId: customId(),
    email: emailAddress(),
    url: httpUrl(options.allowedLinkHosts).optional(),
    phrase: strictBoolean().optional().default(false),
  });
export type CreateMagicUrlTokenBody = z.output<ReturnType<typeof createMagicUrlTokenBody>>;

/** `POST /v1/account/tokens/phone`: a six-digit code by SMS. */
export const createPhoneTokenBody = z.object({ userId: customId(), phone: smsPhone() });
export type CreatePhoneTokenBody = z.output<typeof createPhoneTokenBody>;
