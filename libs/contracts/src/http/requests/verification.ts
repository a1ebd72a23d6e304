import { z } from 'zod';
import { emailAddress, httpUrl, password, text, uid } from '../../schemas/primitives';
import type { HttpRequestOptions } from './common';

/** `POST /v1/account/verifications/email`: the link's target, one of the allowed link hosts. */
export const createEmailVerificationBody = (options: HttpRequestOptions = {}) => z.object({ url: httpUrl(options.allowedLinkHosts) });
export type CreateEmailVerificationBody = z.output<ReturnType<typeof createEmailVerificationBody>>;

/** `POST /v1/account/recovery`. */
export const createRecoveryBody = (options: HttpRequestOptions = {}) =>
  z.object({ email: emailAddress(), url: httpUrl(options.allowedLinkHosts) });
export type CreateRecoveryBody = z.output<ReturnType<typeof createRecoveryBody>>;

/** `PUT /v1/account/recovery`. */
export const updateRecoveryBody = z.object({ userId: uid(), secret: text(256, 1), password: password() });
export type UpdateRecoveryBody = z.output<typeof updateRecoveryBody>;
