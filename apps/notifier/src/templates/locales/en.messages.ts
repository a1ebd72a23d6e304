import type { MessageCatalog } from '../message-catalog';

export const en: MessageCatalog = {
  locale: 'en',
  minutes: { one: '1 minute', other: '{{count}} minutes' },
  unknownClient: 'an unknown app',
  unknownDevice: 'an unknown device',
  greeting: 'Hello {{user}},',
  greetingNoName: 'Hello,',
  thanks: 'Thanks,',
  signature: '{{project}} team',
  mfaChallenge: {
    subject: 'Verification Code for {{project}}',
    preview: 'Use code {{code}} for two-step verification in {{project}}. Expires in {{minutes}}.',
    heading: 'Complete two-step verification to use {{project}}',
    description: 'Enter the following code to confirm your two-step verification in **{{project}}**. This code will expire in {{minutes}}.',
    requestedUsing: 'This verification code was requested using {{client}} on {{device}}.',
    ignore: "If you didn't request the verification code, you can safely ignore this email. Never share this code with anyone.",
  },
  emailVerification: {
    subject: 'Verify your email address for {{project}}',
    preview: 'Confirm your email address for {{project}}.',
    heading: 'Verify your email address',
    description: 'Follow this link to verify your email address for **{{project}}**. The link expires in {{minutes}}.',
    button: 'Verify email address',
    linkFallback: 'If the button does not work, copy this link into your browser:',
    ignore: "If you didn't ask to verify this address, you can ignore this message.",
  },
  signInCode: {
    subject: 'Sign-in code for {{project}}',
    preview: 'Use code {{code}} to sign in to {{project}}. Expires in {{minutes}}.',
    heading: 'Sign in to {{project}}',
    description: 'Enter the following code to sign in to **{{project}}**. This code will expire in {{minutes}}.',
    requestedUsing: 'This sign-in code was requested using {{client}} on {{device}}.',
    ignore: "If you didn't try to sign in, you can safely ignore this email. Never share this code with anyone.",
  },
  magicUrl: {
    subject: 'Sign in to {{project}}',
    preview: 'Your sign-in link for {{project}}.',
    heading: 'Sign in to {{project}}',
    description: 'Follow this link to sign in to **{{project}}**. The link works once and expires in {{minutes}}.',
    button: 'Sign in',
    linkFallback: 'If the button does not work, copy this link into your browser:',
    ignore: "If you didn't try to sign in, you can ignore this message. Never forward this link to anyone.",
  },
  passwordRecovery: {
    subject: 'Reset your {{project}} password',
    preview: 'Reset the password of your {{project}} account.',
    heading: 'Reset your password',
    description:
      'Follow this link to choose a new password for your **{{project}}** account. The link works once and expires in {{minutes}}.',
    button: 'Reset password',
    linkFallback: 'If the button does not work, copy this link into your browser:',
    ignore: "If you didn't ask to reset your password, you can ignore this message: your password stays the same.",
  },
  sms: {
    signInCode: '{{code}} is your {{project}} sign-in code. It expires in {{minutes}}. Do not share it.',
    mfaCode: '{{code}} is your {{project}} verification code. It expires in {{minutes}}. Do not share it.',
    phoneVerification: '{{code}} is your {{project}} code to verify this phone number. It expires in {{minutes}}.',
  },
  securityNotice: {
    when: 'When: {{time}}',
    requestedUsing: 'Device: {{client}} on {{device}}.',
    ifNotYou: "If this wasn't you, change your password right away and review your active sessions and two-step verification settings.",
    events: {
      'mfa-enabled': {
        subject: 'Two-step verification was turned on for {{project}}',
        summary: 'Two-step verification was turned on for your **{{project}}** account.',
      },
      'mfa-disabled': {
        subject: 'Two-step verification was turned off for {{project}}',
        summary: 'Two-step verification was turned off for your **{{project}}** account. Signing in now needs only your password.',
      },
      'authenticator-added': {
        subject: 'An authenticator app was added to your {{project}} account',
        summary: 'An authenticator app was added as a sign-in method for your **{{project}}** account.',
      },
      'authenticator-removed': {
        subject: 'An authenticator app was removed from your {{project}} account',
        summary: 'An authenticator app was removed from your **{{project}}** account and can no longer be used to sign in.',
      },
      'recovery-codes-created': {
        subject: 'Recovery codes were created for your {{project}} account',
        summary: 'New recovery codes were created for your **{{project}}** account. Keep them somewhere safe.',
      },
      'recovery-codes-regenerated': {
        subject: 'Your {{project}} recovery codes were replaced',
        summary: 'The recovery codes of your **{{project}}** account were replaced. The previous codes no longer work.',
      },
      'recovery-code-used': {
        subject: 'A recovery code was used on your {{project}} account',
        summary:
          'A recovery code was used to complete two-step verification on your **{{project}}** account. That code cannot be used again.',
      },
      'totp-replay-rejected': {
        subject: 'A reused verification code was rejected on your {{project}} account',
        summary:
          'Someone tried to complete two-step verification on your **{{project}}** account with an authenticator code that had already been used. It was rejected. Someone else may know your password.',
      },
      'mfa-factor-locked': {
        subject: 'Two-step verification was locked on your {{project}} account',
        summary:
          'Too many wrong verification codes were entered on your **{{project}}** account, so that verification method is locked for now. If this was not you, someone may know your password: change it. After too many more attempts the method stays locked until you verify with another method or an administrator unlocks it.',
      },
      'password-changed': {
        subject: 'Your {{project}} password was changed',
        summary: 'The password of your **{{project}}** account was changed.',
      },
      'email-changed': {
        subject: 'The email address of your {{project}} account was changed',
        summary: 'The email address of your **{{project}}** account was changed. Notices now go to the new address.',
      },
      'phone-changed': {
        subject: 'The phone number of your {{project}} account was changed',
        summary: 'The phone number of your **{{project}}** account was changed.',
      },
      'password-reset': {
        subject: 'Your {{project}} password was reset',
        summary:
          'The password of your **{{project}}** account was reset with a recovery link sent to this address. You were signed out everywhere.',
      },
    },
  },
};
