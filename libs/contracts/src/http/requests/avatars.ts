import { z } from 'zod';
import { integerInRange, queryBoolean, text } from '../../schemas/primitives';

/** `GET /v1/avatars/qr`. */
export const qrQuery = z.object({
  text: text(512, 1),
  size: integerInRange(1, 1000).optional().default(400),
  margin: integerInRange(0, 10).optional().default(1),
  download: queryBoolean().optional().default(false),
});
export type QrQuery = z.output<typeof qrQuery>;
