import { formatDate } from '../common/dates';
import type { AuditLogRow } from './audit-log.repository';

/** Appwrite's Log model. */
export interface LogModel {
  event: string;
  userId: string;
  userEmail: string;
  userName: string;
  mode: string;
  ip: string;
  time: string;
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
}

export function logModel(l: AuditLogRow): LogModel {
  const c = l.client ?? {};
  return {
    event: l.event,
    userId: l.userId,
    userEmail: l.userEmail,
    userName: l.userName,
    mode: l.mode,
    ip: l.ip,
    time: formatDate(l.createdAt),
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
  };
}
