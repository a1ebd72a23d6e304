import type { SessionEntity } from '@twostep/auth-data-access';
import { formatDate } from '../common/dates';

/** Appwrite's Session model (`Models.Session`). */
export interface SessionModel {
  $id: string;
  $createdAt: string;
  $updatedAt: string;
  userId: string;
  expire: string;
  provider: string;
  providerUid: string;
  providerAccessToken: string;
  providerAccessTokenExpiry: string;
  providerRefreshToken: string;
  ip: string;
  osCode: string;
  osName: string;
  osVersion: string;
  clientType: string;
  clientCode: string;
  clientName: string;
  clientVersion: string;
  clientEngine: string;
  clientEngineVersion: string;
  deviceName: string;
  deviceBrand: string;
  deviceModel: string;
  countryCode: string;
  countryName: string;
  current: boolean;
  factors: string[];
  secret: string;
  mfaUpdatedAt: string;
}

/**
 * Formats a session. `secret` is the encoded credential and is only ever given to API-key callers
 * (and only in the response that creates the session); everyone else gets `""`.
 */
export function sessionModel(s: SessionEntity, opts: { current: boolean; secret?: string }): SessionModel {
  const c = s.client ?? {};
  return {
    $id: s.id,
    $createdAt: formatDate(s.createdAt),
    $updatedAt: formatDate(s.updatedAt),
    userId: s.userId,
    expire: formatDate(s.expire),
    provider: s.provider,
    providerUid: s.providerUid,
    providerAccessToken: '',
    providerAccessTokenExpiry: '',
    providerRefreshToken: '',
    ip: s.ip,
    osCode: c.osCode ?? '',
    osName: c.osName ?? '',
    osVersion: c.osVersion ?? '',
    clientType: c.clientType ?? '',
    clientCode: c.clientCode ?? '',
    clientName: c.clientName ?? '',
    clientVersion: c.clientVersion ?? '',
    clientEngine: c.clientEngine ?? '',
    clientEngineVersion: c.clientEngineVersion ?? '',
    deviceName: c.deviceName ?? '',
    deviceBrand: c.deviceBrand ?? '',
    deviceModel: c.deviceModel ?? '',
    countryCode: '--',
    countryName: 'Unknown',
    current: opts.current,
    factors: [...s.factors],
    secret: opts.secret ?? '',
    mfaUpdatedAt: formatDate(s.mfaUpdatedAt),
  };
}
