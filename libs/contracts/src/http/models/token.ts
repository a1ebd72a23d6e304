import { z } from 'zod';
import { datetime, id } from './common';

/** Appwrite's Token model. The secret only ever travels in the message (email, SMS), never in a response. */
export const TokenModel = z.strictObject({
  $id: id('Token ID.'),
  $createdAt: datetime('Token creation date in ISO 8601 format.'),
  userId: z.string().meta({ description: 'User ID (`""` for a password recovery, whether or not the address exists).' }),
  secret: z.string().meta({ description: 'Token secret: always `""` in a response.' }),
  expire: datetime('Token expiration date in ISO 8601 format.'),
  phrase: z.string().meta({ description: 'Security phrase (not used: `""`).' }),
});
