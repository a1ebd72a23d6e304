import { z } from 'zod';
import { clientInfoFields, datetime, id } from './common';

/** Appwrite's Session model. `secret` is `""` except for an API-key caller in the response that creates it. */
export const SessionModel = z.strictObject({
  $id: id('Session ID.'),
  $createdAt: datetime('Session creation date in ISO 8601 format.'),
  $updatedAt: datetime('Session update date in ISO 8601 format.'),
  userId: id('User ID.'),
  expire: datetime('Session expiration date in ISO 8601 format.'),
  provider: z.string().meta({ description: 'Session provider (`email`, `anonymous`, `server`, ...).' }),
  providerUid: z.string().meta({ description: 'Session provider user ID.' }),
  providerAccessToken: z.string().meta({ description: 'Session provider access token (always `""`).' }),
  providerAccessTokenExpiry: z.string().meta({ description: 'Date when the provider access token expires (always `""`).' }),
  providerRefreshToken: z.string().meta({ description: 'Session provider refresh token (always `""`).' }),
  ip: z.string().meta({ description: 'IP address at session creation.' }),
  ...clientInfoFields,
  current: z.boolean().meta({ description: 'Whether the session is the one the request presented.' }),
  factors: z.array(z.string()).meta({ description: 'Factors the session has completed (`password`, `email`, `totp`, ...).' }),
  secret: z.string().meta({ description: 'The session credential for `setSession`; `""` unless an API key created it.' }),
  mfaUpdatedAt: datetime('Most recent date a factor was completed on the session; `""` before the first.'),
});

export const SessionListModel = z.strictObject({
  total: z.number().int().min(0).meta({ description: 'Total number of sessions.' }),
  sessions: z.array(SessionModel).meta({ description: 'List of sessions.' }),
});
