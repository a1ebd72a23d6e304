import { z } from 'zod';
import { integerInRange } from '../../schemas/primitives';

/** `POST /v1/account/jwts`: the lifetime in seconds (0-3600, default 900). */
export const createJwtBody = z.object({ duration: integerInRange(0, 3600).optional().default(900) });
export type CreateJwtBody = z.output<typeof createJwtBody>;
