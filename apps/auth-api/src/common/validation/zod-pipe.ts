import { Inject, Injectable, PipeTransform, Type } from '@nestjs/common';
import type { z } from 'zod';
import { HttpRequestOptions, parseParams } from '@twostep/contracts';
import { AUTH_API_CONFIG, AuthApiConfig } from '../../config/auth-api.config';
import { allowedLinkHosts } from '../../verification/link-hosts';

/**
 * The one validation pipe of the HTTP transport: `@Body(new ZodPipe(schema))`, `@Param(...)`,
 * `@Query(...)` with a schema of `@twostep/contracts` (see `httpRequests`). Failures become Appwrite's
 * errors through `appwriteParamError` (`Param "x" is not optional.`, ``Invalid `x` param: ...``).
 * Only declared params come out: unknown fields are dropped (never mass-assigned).
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseRequest(this.schema, value);
  }
}

/**
 * A {@link ZodPipe} whose schema depends on configuration (`buildSchema(options)`, e.g. the allowed link
 * hosts): pass the returned class, Nest builds it with the app's configuration.
 */
export function ConfiguredZodPipe<S extends z.ZodType>(
  buildSchema: (options: HttpRequestOptions) => S,
): Type<PipeTransform<unknown, z.output<S>>> {
  @Injectable()
  class ConfiguredPipe extends ZodPipe<S> {
    constructor(@Inject(AUTH_API_CONFIG) config: AuthApiConfig) {
      const hosts = allowedLinkHosts(config);
      super(buildSchema({ allowedLinkHosts: () => hosts }));
    }
  }
  return ConfiguredPipe;
}

/** Parses a request part (body, query or path params) with `schema`, after {@link normaliseInput}. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseParams(schema, normaliseInput(value));
}

const LIST_KEY = /^([A-Za-z_$][\w$]*)\[\d*\]$/;

/**
 * The transport's part of the rules: a non-object input (a JSON array, a string, no body) is an empty
 * one; only own properties count (Fastify's query object has no Object prototype); `null` is an absent
 * value, as in Appwrite; `name[0]`, `name[1]`, `name[]` query keys (node-appwrite's `queries`) are
 * gathered into one array `name`.
 */
export function normaliseInput(value: unknown): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    const list = LIST_KEY.exec(key);
    if (list) {
      const name = list[1];
      const previous = out[name];
      out[name] = [
        ...(previous === undefined ? [] : Array.isArray(previous) ? previous : [previous]),
        ...(Array.isArray(item) ? item : [item]),
      ];
    } else {
      const previous = out[key];
      out[key] = Array.isArray(previous) ? [...(Array.isArray(item) ? item : [item]), ...previous] : item;
    }
  }
  return out;
}

/** Whether `value` is a plain (JSON-like) object: Object or null prototype, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
