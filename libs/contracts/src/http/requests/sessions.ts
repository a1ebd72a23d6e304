import { z } from 'zod';
import { emailAddress, password, uid } from '../../schemas/primitives';

/** `POST /v1/account/sessions/email` (and the deprecated `/sessions`). */
export const createEmailPasswordSessionBody = z.object({ email: emailAddress(), password: password() });
export type CreateEmailPasswordSessionBody = z.output<typeof createEmailPasswordSessionBody>;

/** `:sessionId`: a session id or `current`. */
export const sessionIdParams = z.object({ sessionId: uid() });
export type SessionIdParams = z.output<typeof sessionIdParams>;
