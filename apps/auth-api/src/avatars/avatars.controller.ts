import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Access, ProjectFromQuery } from '../access/access.decorator';
import { optional, required, v, validateParams, Validator } from '../common/validation/params';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { qrPng } from './qr-png';

/** A query-string boolean (`true`/`false`/`1`/`0`), as the SDKs put it in a URL. */
function queryBoolean(): Validator<boolean> {
  return {
    description: 'Value must be a valid boolean',
    check: (value) =>
      value === true || value === 'true' || value === '1'
        ? true
        : value === false || value === 'false' || value === '0'
          ? false
          : undefined,
  };
}

/**
 * `avatars.getQR` (appwrite-api.md 11): a PNG of a QR code, so an app can show the `otpauth://` URI of
 * a new authenticator without sending the secret to a third-party image service. The SDK builds an
 * `<img src>` URL, so the project may come as `?project=`. Never cached (the text may hold a secret).
 */
@Controller('v1/avatars')
export class AvatarsController {
  @Get('qr')
  @Access('public')
  @ProjectFromQuery()
  @RateLimit({ limit: 120, windowSeconds: 60, key: ['ip'] })
  qr(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    // Fastify parses the query into a null-prototype object
    const input = validateParams(
      { ...(query ?? {}) },
      {
        text: required(v.text(512, 1)),
        size: optional(v.integer(1, 1000), 400),
        margin: optional(v.integer(0, 10), 1),
        download: optional(queryBoolean(), false),
      },
    );
    const png = qrPng(input.text, input.size ?? 400, input.margin ?? 1);
    reply.header('content-type', 'image/png');
    reply.header('cache-control', 'no-store');
    if (input.download) reply.header('content-disposition', 'attachment; filename="qr.png"');
    return png;
  }
}
