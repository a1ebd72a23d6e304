import { z } from 'zod';

/** The OpenAPI document itself, as a model (`GET /v1/openapi.json`). */
export const OpenApiDocumentModel = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
