import { z } from 'zod';
import { datetime } from './common';

/** Appwrite's Log model: one audit event of a user. */
export const LogModel = z.strictObject({
  event: z.string().meta({ description: 'Event name (`session.create`, `mfa.enable`, ...).' }),
  userId: z.string().meta({ description: 'User ID.' }),
  userEmail: z.string().meta({ description: 'User email.' }),
  userName: z.string().meta({ description: 'User name.' }),
  mode: z.string().meta({ description: 'Who acted: `admin` (API key) or `default` (the user).' }),
  ip: z.string().meta({ description: 'IP address.' }),
  time: datetime('Log creation date in ISO 8601 format.'),
  osCode: z.string().meta({ description: 'Operating system code name.' }),
  osName: z.string().meta({ description: 'Operating system name.' }),
  osVersion: z.string().meta({ description: 'Operating system version.' }),
  clientType: z.string().meta({ description: 'Client type.' }),
  clientCode: z.string().meta({ description: 'Client code name.' }),
  clientName: z.string().meta({ description: 'Client name.' }),
  clientVersion: z.string().meta({ description: 'Client version.' }),
  clientEngine: z.string().meta({ description: 'Client engine name.' }),
  clientEngineVersion: z.string().meta({ description: 'Client engine version.' }),
  deviceName: z.string().meta({ description: 'Device name.' }),
  deviceBrand: z.string().meta({ description: 'Device brand name.' }),
  deviceModel: z.string().meta({ description: 'Device model name.' }),
  countryCode: z.string().meta({ description: 'Country two-character ISO 3166-1 alpha code.' }),
  countryName: z.string().meta({ description: 'Country name.' }),
});

export const LogListModel = z.strictObject({
  total: z.number().int().min(0).meta({ description: 'Total number of logs.' }),
  logs: z.array(LogModel).meta({ description: 'List of logs, newest first.' }),
});
