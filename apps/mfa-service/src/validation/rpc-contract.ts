import { applyDecorators, ArgumentMetadata, PipeTransform, SetMetadata, UsePipes } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { MfaPattern, parseRpcRequest } from '@twostep/contracts';

/** Metadata key: the pattern whose contract a handler's payload is parsed with. */
export const RPC_CONTRACT = 'twostep:rpc-contract';

/**
 * The one validation pipe of mfa-service's RPC handlers: parses the message `data` with its pattern's
 * request schema (`rpcContracts`); a malformed payload answers Appwrite's error (400
 * `general_argument_invalid`, or 401 `user_invalid_token` for a malformed challenge id or code) through
 * the RPC exception filter, and the handler receives the parsed, typed value.
 */
export class RpcContractPipe<P extends MfaPattern> implements PipeTransform {
  constructor(readonly pattern: P) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // `@Payload()` reaches pipes as 'body' (`@Ctx()` as 'custom'): only the payload is parsed
    if (metadata.type !== 'body') return value;
    return parseRpcRequest(this.pattern, value);
  }
}

/**
 * `@MessagePattern(pattern)` with its contract: every mfa-service handler is declared with this, and its
 * `@Payload()` is the parsed `RpcPayload<pattern>`.
 */
export function MfaRpcHandler(pattern: MfaPattern): MethodDecorator {
  return applyDecorators(MessagePattern(pattern), SetMetadata(RPC_CONTRACT, pattern), UsePipes(new RpcContractPipe(pattern)));
}
