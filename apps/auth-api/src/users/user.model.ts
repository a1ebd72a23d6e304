import type { UserEntity } from '@twostep/auth-data-access';
import { formatDate } from '../common/dates';

/** Appwrite's Target model (messaging targets of the user's email and phone). */
export interface TargetModel {
  $id: string;
  $createdAt: string;
  $updatedAt: string;
  name: string;
  userId: string;
  providerType: 'email' | 'sms';
  identifier: string;
  expired: boolean;
}

/**
 * Appwrite's Account model (`Models.User`), also used for the admin User model: we never return the
 * password hash, `hash` or `hashOptions` (optional in the SDK types), even to API-key callers.
 */
export interface AccountModel {
  $id: string;
  $createdAt: string;
  $updatedAt: string;
  name: string;
  registration: string;
  status: boolean;
  labels: string[];
  passwordUpdate: string;
  email: string;
  phone: string;
  emailVerification: boolean;
  phoneVerification: boolean;
  mfa: boolean;
  prefs: Record<string, unknown>;
  targets: TargetModel[];
  accessedAt: string;
}

export function accountModel(user: UserEntity): AccountModel {
  const targets: TargetModel[] = [];
  const target = (id: string | null, providerType: 'email' | 'sms', identifier: string | null) => {
    if (!id || !identifier) return;
    targets.push({
      $id: id,
      $createdAt: formatDate(user.createdAt),
      $updatedAt: formatDate(user.updatedAt),
      name: '',
      userId: user.id,
      providerType,
      identifier,
      expired: false,
    });
  };
  target(user.emailTargetId, 'email', user.email);
  target(user.phoneTargetId, 'sms', user.phone);
  return {
    $id: user.id,
    $createdAt: formatDate(user.createdAt),
    $updatedAt: formatDate(user.updatedAt),
    name: user.name,
    registration: formatDate(user.createdAt),
    status: user.status,
    labels: user.labels ?? [],
    passwordUpdate: formatDate(user.passwordUpdatedAt),
    email: user.email ?? '',
    phone: user.phone ?? '',
    emailVerification: user.emailVerification,
    phoneVerification: user.phoneVerification,
    mfa: user.mfa,
    prefs: user.prefs ?? {},
    targets,
    accessedAt: formatDate(user.accessedAt),
  };
}
