import { z } from 'zod';
import { clientInfoFields, datetime } from './common';

/** Appwrite's Log model: one audit event of a user. */
export const LogModel = z.strictObject({
  event: z.string().meta({ description: 'Event name (`session.create`, `mfa.enable`, ...).' }),
  userId: z.string().meta({ description: 'User ID.' }),
  userEmail: z.string().meta({ description: 'User email.' }),
  userName: z.string().meta({ description: 'User name.' }),
  mode: z.string().meta({ description: 'Who acted: `admin` (API key) or `default` (the user).' }),
  ip: z.string().meta({ description: 'IP address.' }),
  time: datetime('Log creation date in ISO 8601 format.'),
  ...clientInfoFields,
});

export const LogListModel = z.strictObject({
  total: z.number().int().min(0).meta({ description: 'Total number of logs.' }),
  logs: z.array(LogModel).meta({ description: 'List of logs, newest first.' }),
});
