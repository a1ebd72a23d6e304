import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route. Every route declares exactly one class; the {@link AccessGuard} refuses to
 * serve a route without one (and a test enumerates the router to prove none is missing).
 *
 *  - `public`  anyone with the project header (sign-up, completing a verification link); no session needed
 *  - `guest`   sign-in: no session allowed (401 `user_session_already_exists`); API keys welcome
 *  - `session` a session that passes the MFA rule of appwrite-api.md 5.1 (a "full" session)
 *  - `partial` a session, even one still missing its second factor (Appwrite's `mfa` group:
 *              list factors, create/complete a challenge, delete a session)
 *  - `fresh`   a full session whose last completed challenge is within MFA_RECENT_SECONDS
 *              (Appwrite's `mfaProtected` group), else 401 `user_challenge_required`; while MFA is on
 *              for the account, that challenge must be a step-up: completed with a factor this session
 *              did not enroll itself (SessionsService.steppedUpRecently)
 *  - `stepUp`  a full session; while MFA is on for the account, also the step-up of `fresh` (changes
 *              to the factors or to the addresses they deliver to); with MFA off, like `session`
 *  - `apiKey`  the project API key in `X-Appwrite-Key` (the admin `Users` routes)
 */
export type AccessClass = 'public' | 'guest' | 'session' | 'partial' | 'fresh' | 'stepUp' | 'apiKey';

export const ACCESS_CLASSES: readonly AccessClass[] = ['public', 'guest', 'session', 'partial', 'fresh', 'stepUp', 'apiKey'];

export const ACCESS_METADATA = 'twostep:access';

export const Access = (accessClass: AccessClass) => SetMetadata(ACCESS_METADATA, accessClass);

/**
 * The route may take the project id from the `project` query parameter when the header is absent:
 * for URLs the SDKs build for `<img src>` (avatars), which cannot carry headers.
 */
export const PROJECT_FROM_QUERY_METADATA = 'twostep:project-from-query';
export const ProjectFromQuery = () => SetMetadata(PROJECT_FROM_QUERY_METADATA, true);
