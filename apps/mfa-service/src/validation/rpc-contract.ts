import { applyDecorators, ArgumentMetadata, PipeTransform, SetMetadata, Type, UsePipes } from '@nestjs/common';
import { PIPES_METADATA } from '@nestjs/common/constants';
import { MetadataScanner } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
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

/** One `@MessagePattern` handler as Nest's metadata describes it. */
export interface RpcHandlerInfo {
  /** `Controller.method` */
  handler: string;
  /** the patterns it answers (`@MessagePattern`) */
  patterns: string[];
  /** the pattern whose contract its payload is parsed with (`@MfaRpcHandler`), if any */
  contract?: string;
  /** the patterns of the contract pipes applied to it */
  pipes: string[];
}

/** Every message handler of `controllers`, read from Nest's metadata (`@MessagePattern`, pipes). */
export function rpcHandlersOf(controllers: readonly Type[]): RpcHandlerInfo[] {
  const scanner = new MetadataScanner();
  const handlers: RpcHandlerInfo[] = [];
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const method of scanner.getAllMethodNames(proto)) {
      const fn = proto[method] as object;
      const patterns = Reflect.getMetadata(PATTERN_METADATA, fn) as unknown[] | undefined;
      if (!patterns) continue;
      const pipes = (Reflect.getMetadata(PIPES_METADATA, fn) as unknown[] | undefined) ?? [];
      handlers.push({
        handler: `${controller.name}.${method}`,
        patterns: patterns.map(String),
        contract: Reflect.getMetadata(RPC_CONTRACT, fn) as string | undefined,
        pipes: pipes.filter((p): p is RpcContractPipe<MfaPattern> => p instanceof RpcContractPipe).map((p) => p.pattern),
      });
    }
  }
  return handlers;
}

/**
 * What is wrong between the handlers of `controllers` and `contracts` (empty when nothing): a handler
 * without a contract or without its pipe, a pattern without a contract, a contract without a handler.
 */
export function rpcContractProblems(controllers: readonly Type[], contracts: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const handled = new Set<string>();
  for (const h of rpcHandlersOf(controllers)) {
    for (const pattern of h.patterns) {
      handled.add(pattern);
      if (!Object.prototype.hasOwnProperty.call(contracts, pattern)) problems.push(`${h.handler}: no schema for ${pattern}`);
      if (h.contract !== pattern || !h.pipes.includes(pattern))
        problems.push(`${h.handler}: ${pattern} is not declared with @MfaRpcHandler (its payload is not parsed)`);
    }
  }
  for (const pattern of Object.keys(contracts)) if (!handled.has(pattern)) problems.push(`${pattern}: schema without a handler`);
  return problems;
}
