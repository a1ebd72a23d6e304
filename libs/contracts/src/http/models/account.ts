import { z } from 'zod';
import { datetime, id } from './common';

/** Appwrite's Target model: a messaging target (the user's email address or phone number). */
export const TargetModel = z.strictObject({
  $id: id('Target ID.'),
  $createdAt: datetime('Target creation time in ISO 8601 format.'),
  $updatedAt: datetime('Target update date in ISO 8601 format.'),
  name: z.string().meta({ description: 'Target name.' }),
  userId: id('User ID.'),
  providerType: z.enum(['email', 'sms']).meta({ description: 'The target provider type: `email` or `sms`.' }),
  identifier: z.string().meta({ description: 'The target identifier (an email address or an E.164 phone number).' }),
  expired: z.boolean().meta({ description: 'Is the target expired.' }),
});

/** Appwrite's Preferences model: an open map the app chooses (`prefs`). */
export const PreferencesModel = z.record(z.string(), z.unknown()).meta({ description: 'Preferences: any JSON object the app stores.' });

/**
 * Appwrite's User model (`Models.User`, the Account of the account routes and the User of the admin
 * routes). Never carries the password hash, `hash` or `hashOptions`.
 */
export const UserModel = z.strictObject({
  $id: id('User ID.'),
  $createdAt: datetime('User creation date in ISO 8601 format.'),
  $updatedAt: datetime('User update date in ISO 8601 format.'),
  name: z.string().meta({ description: 'User name.' }),
  registration: datetime('User registration date in ISO 8601 format.'),
  status: z.boolean().meta({ description: 'User status: `true` for enabled, `false` for blocked.' }),
  labels: z.array(z.string()).meta({ description: 'Labels of the user.' }),
  passwordUpdate: datetime('Password update time in ISO 8601 format; `""` without a password.'),
  email: z.string().meta({ description: 'User email address; `""` without one.' }),
  phone: z.string().meta({ description: 'User phone number in E.164 format; `""` without one.' }),
  emailVerification: z.boolean().meta({ description: 'Email verification status.' }),
  phoneVerification: z.boolean().meta({ description: 'Phone verification status.' }),
  mfa: z.boolean().meta({ description: 'Multi-factor authentication status.' }),
  prefs: PreferencesModel,
  targets: z.array(TargetModel).meta({ description: "The user's messaging targets." }),
  accessedAt: datetime('Most recent access date in ISO 8601 format; `""` before the first.'),
});

export const UserListModel = z.strictObject({
  total: z.number().int().min(0).meta({ description: 'Total number of users that matched the query.' }),
  users: z.array(UserModel).meta({ description: 'List of users.' }),
});

/** `createJWT`: a JSON Web Token, sent back as `X-Appwrite-JWT`. */
export const JwtModel = z.strictObject({
  jwt: z.string().meta({ description: 'JWT encoded string.' }),
});
