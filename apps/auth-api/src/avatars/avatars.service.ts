import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { QrQuery } from '@twostep/contracts';
import { qrPng } from './qr-png';

/** Avatars: the QR code of an enrollment URI. */
@Injectable()
export class AvatarsService {
  /** The PNG, never cached (the text may hold a secret); an attachment when `download` is set. */
  qr(query: QrQuery, reply: FastifyReply): Buffer {
    const png = qrPng(query.text, query.size, query.margin);
    reply.header('content-type', 'image/png');
    reply.header('cache-control', 'no-store');
    if (query.download) reply.header('content-disposition', 'attachment; filename="qr.png"');
    return png;
  }
}
