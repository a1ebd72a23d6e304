import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { buildOpenApiDocument, httpOperations, httpRequests } from '@twostep/contracts';
import { Access, ProjectFromQuery } from '../access/access.decorator';
import { AUTH_API_CONFIG, AuthApiConfig } from '../config/auth-api.config';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { ReferencePage, referencePage } from './reference-page';

/**
 * This API's OpenAPI 3.1 description (`GET /v1/openapi.json`) and a readable reference page
 * (`GET /v1/openapi`). Both are built once, at start-up. Like every route they need the project (the
 * `X-Appwrite-Project` header, or `?project=` so a browser can open the page); no credential.
 */
@Controller('v1')
export class OpenApiController {
  private readonly json: string;
  private readonly page: ReferencePage;

  constructor(@Inject(AUTH_API_CONFIG) config: AuthApiConfig) {
    this.json = JSON.stringify(buildOpenApiDocument(httpOperations, httpRequests, { version: config.APP_VERSION }));
    this.page = referencePage(this.json, `${config.APP_PROJECT_NAME} API`);
  }

  @Get('openapi.json')
  @Access('public')
  @ProjectFromQuery()
  @RateLimit({ limit: 120, windowSeconds: 60, key: ['ip'] })
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('cache-control', 'no-cache')
  document(): string {
    return this.json;
  }

  @Get('openapi')
  @Access('public')
  @ProjectFromQuery()
  @RateLimit({ limit: 120, windowSeconds: 60, key: ['ip'] })
  reference(@Res({ passthrough: true }) reply: FastifyReply): string {
    reply.header('content-type', 'text/html; charset=utf-8');
    reply.header('content-security-policy', this.page.contentSecurityPolicy);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-cache');
    return this.page.html;
  }
}
