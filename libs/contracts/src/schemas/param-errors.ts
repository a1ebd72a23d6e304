import type { z } from 'zod';
import { AppError } from '../errors/error-catalog';

/**
 * The one place a schema failure becomes Appwrite's error (`general_argument_invalid`, 400), for every
 * transport: a missing required param is ``Param "name" is not optional.``, any other failure is
 * ``Invalid `name` param: <the rule's description>``. The first issue wins, as Appwrite stops at the first
 * invalid param. The input value is never echoed (it may be a secret).
 */
export function appwriteParamError(error: z.ZodError, input: unknown, fallbackName = 'payload'): AppError {
  const issue = error.issues[0];
  const name = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackName;
  if (!issue) return new AppError('general_argument_invalid', `Invalid \`${name}\` param.`);
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) == null) {
    return new AppError('general_argument_invalid', `Param "${name}" is not optional.`);
  }
  return new AppError('general_argument_invalid', `Invalid \`${name}\` param: ${issue.message}`);
}

/** Parses `input` with `schema`, throwing {@link appwriteParamError} on failure. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown, fallbackName?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw appwriteParamError(result.error, input, fallbackName);
  return result.data;
}

/** The value at `path` in `input` (own properties only); `undefined` when absent. Null counts as absent, as in Appwrite. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
