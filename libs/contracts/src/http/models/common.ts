import { z } from 'zod';

/**
 * Appwrite's datetime as the services write it (`formatDate`): ISO 8601 with milliseconds and an
 * explicit `+00:00` offset, or `""` for a date that is not set.
 */
export const APPWRITE_DATETIME_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00)?$/;

export const datetime = (description: string) =>
  z
    .string()
    .regex(APPWRITE_DATETIME_PATTERN)
    .meta({ description, examples: ['2020-10-15T06:38:00.000+00:00'] });

export const id = (description: string) => z.string().meta({ description, examples: ['5e5ea5c16897e'] });

/** The client a session or log entry was made from, as the user agent and address tell it (Session and Log share them). */
export const clientInfoFields = {
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
  countryCode: z.string().meta({ description: 'Country two-character ISO 3166-1 alpha code (`--` when unknown).' }),
  countryName: z.string().meta({ description: 'Country name.' }),
};
