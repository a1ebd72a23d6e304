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
