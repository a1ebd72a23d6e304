import type { SecurityEvent } from '@twostep/contracts';
import { en } from './locales/en.messages';
import { fr } from './locales/fr.messages';

/**
 * Every text the notifier sends, for one language. Templates use `{{name}}` placeholders and
 * `**bold**`; values are escaped in HTML. The type makes the compiler check that every language
 * has every message, including one notice per {@link SecurityEvent}.
 */
export interface MessageCatalog {
  /** BCP 47 tag used for plurals and dates */
  locale: string;
  /** `{{count}}` minutes, by plural category */
  minutes: { one: string; other: string };
  unknownClient: string;
  unknownDevice: string;
  /** `{{user}}` */
  greeting: string;
  greetingNoName: string;
  thanks: string;
  /** `{{project}}` */
  signature: string;
  /** vars: project, code, minutes, client, device */
  mfaChallenge: { subject: string; preview: string; heading: string; description: string; requestedUsing: string; ignore: string };
  /** vars: project, minutes */
  emailVerification: {
    subject: string;
    preview: string;
    heading: string;
    description: string;
    button: string;
    linkFallback: string;
    ignore: string;
  };
  /** vars: project, code, minutes, client, device */
  signInCode: { subject: string; preview: string; heading: string; description: string; requestedUsing: string; ignore: string };
  /** vars: project, minutes (magic URL sign-in link) */
  magicUrl: {
    subject: string;
    preview: string;
    heading: string;
    description: string;
    button: string;
    linkFallback: string;
    ignore: string;
  };
  /** vars: project, minutes (password recovery link) */
  passwordRecovery: {
    subject: string;
    preview: string;
    heading: string;
    description: string;
    button: string;
    linkFallback: string;
    ignore: string;
  };
  /** vars: project, code, minutes */
  sms: { mfaCode: string; phoneVerification: string; signInCode: string };
  /** vars: project, time, client, device */
  securityNotice: {
    when: string;
    requestedUsing: string;
    ifNotYou: string;
    events: Record<SecurityEvent, { subject: string; summary: string }>;
  };
}

export const CATALOGS: Readonly<Record<string, MessageCatalog>> = { en, fr };
export const DEFAULT_LOCALE = 'en';

/** The catalog for a BCP 47 tag: exact match, then the language alone, then English. */
export function catalogFor(locale: unknown): MessageCatalog {
  if (typeof locale !== 'string') return CATALOGS[DEFAULT_LOCALE];
  const tag = locale.trim().toLowerCase().replace(/_/g, '-');
  if (Object.prototype.hasOwnProperty.call(CATALOGS, tag)) return CATALOGS[tag];
  const language = tag.split('-')[0];
  if (Object.prototype.hasOwnProperty.call(CATALOGS, language)) return CATALOGS[language];
  return CATALOGS[DEFAULT_LOCALE];
}
