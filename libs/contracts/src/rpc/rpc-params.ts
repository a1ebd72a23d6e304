import type { z } from 'zod';
import { AppError } from '../errors/error-catalog';
import { appwriteParamError } from '../schemas/param-errors';
import { INVALID_TOKEN_ISSUE } from '../schemas/rpc-primitives';
import type { MfaPattern } from './mfa-patterns';
import { RpcPayload, rpcContracts } from './mfa-rpc.schema';

/**
 * Parses the `data` of an RPC request with its pattern's schema. A failure is Appwrite's error, formatted
 * by {@link appwriteParamError}; except a malformed credential or reference (a challenge id, a code,
 * marked with {@link INVALID_TOKEN_ISSUE}), which is `user_invalid_token` like a wrong or unknown one.
 */
export function parseRpcRequest<P extends MfaPattern>(pattern: P, data: unknown): RpcPayload<P> {
  const schema: z.ZodType = rpcContracts[pattern].request;
  const result = schema.safeParse(data);
  if (result.success) return result.data as RpcPayload<P>;
  const issue = result.error.issues[0] as { params?: { appwriteType?: string } } | undefined;
  if (issue?.params?.appwriteType === INVALID_TOKEN_ISSUE.appwriteType) throw new AppError('user_invalid_token');
  throw appwriteParamError(result.error, data);
}
