import type { VerificationTokenEntity } from '@twostep/auth-data-access';
import { formatDate } from '../common/dates';

/** Appwrite's Token model. The secret only ever travels in the message, never in a response. */
export interface TokenModel {
  $id: string;
  $createdAt: string;
  userId: string;
  secret: string;
  expire: string;
  phrase: string;
}

export function tokenModel(t: VerificationTokenEntity): TokenModel {
  return { $id: t.id, $createdAt: formatDate(t.createdAt), userId: t.userId, secret: '', expire: formatDate(t.expire), phrase: '' };
}
