import type { z } from 'zod';
import { JwtModel, PreferencesModel, TargetModel, UserListModel, UserModel } from './account';
import { ErrorModel } from './error';
import { LogListModel, LogModel } from './log';
import { MfaChallengeModel, MfaChallengeStateModel, MfaFactorsModel, MfaRecoveryCodesModel, MfaTypeModel } from './mfa';
import { OpenApiDocumentModel } from './openapi-document';
import { SessionListModel, SessionModel } from './session';
import { TokenModel } from './token';

export * from './account';
export * from './common';
export * from './error';
export * from './log';
export * from './mfa';
export * from './openapi-document';
export * from './session';
export * from './token';

/**
 * Every response model by its name in the OpenAPI document (`components.schemas`); Appwrite's model
 * names where Appwrite has the model.
 */
export const httpModels = {
  User: UserModel,
  UserList: UserListModel,
  Target: TargetModel,
  Preferences: PreferencesModel,
  Session: SessionModel,
  SessionList: SessionListModel,
  Token: TokenModel,
  Jwt: JwtModel,
  Log: LogModel,
  LogList: LogListModel,
  MfaFactors: MfaFactorsModel,
  MfaChallenge: MfaChallengeModel,
  MfaChallengeState: MfaChallengeStateModel,
  MfaType: MfaTypeModel,
  MfaRecoveryCodes: MfaRecoveryCodesModel,
  Error: ErrorModel,
  OpenApiDocument: OpenApiDocumentModel,
} as const satisfies Record<string, z.ZodType>;
