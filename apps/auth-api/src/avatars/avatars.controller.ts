import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { qrQuery, QrQuery } from '@twostep/contracts';
import { Access, ProjectFromQuery } from '../access/access.decorator';
import { ZodPipe } from '../common/validation/zod-pipe';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AvatarsService } from './avatars.service';

/**
 * `avatars.getQR` (appwrite-api.md 11): a PNG of a QR code, so an app can show the `otpauth://` URI of
 * a new authenticator without sending the secret to a third-party image service. The SDK builds an
 * `<img src>` URL, so the project may come as `?project=`. Never cached (the text may hold a secret).
 */
@Controller('v1/avatars')
export class AvatarsController {
  constructor(private readonly avatars: AvatarsService) {}

  @Get('qr')
  @Access('public')
  @ProjectFromQuery()
  @RateLimit({ limit: 120, windowSeconds: 60, key: ['ip'] })
  qr(@Query(new ZodPipe(qrQuery)) query: QrQuery, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    return this.avatars.qr(query, reply);
  }
}
