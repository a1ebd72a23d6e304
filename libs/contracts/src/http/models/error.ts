import { z } from 'zod';
import { ERROR_CATALOG, ErrorType } from '../../errors/error-catalog';

const ERROR_TYPES = Object.keys(ERROR_CATALOG).sort() as [ErrorType, ...ErrorType[]];

/** Appwrite's error JSON, the body of every 4xx and 5xx answer (`application/json`). */
export const ErrorModel = z.strictObject({
  message: z.string().meta({ description: 'Error message (never a secret, a stack or SQL).' }),
  code: z.number().int().min(400).max(599).meta({ description: 'The HTTP status code.' }),
  type: z.enum(ERROR_TYPES).meta({ description: "Appwrite's error type." }),
  version: z.string().meta({ description: 'Server version.' }),
});
