import { Injectable } from '@nestjs/common';
import {
  DeliveryFailureReason,
  OtpDeliveryJob,
  OtpDeliveryJobName,
  OtpDeliverySecret,
  OTP_CODE_PATTERN,
  RequesterInfo,
  SecurityEvent,
  SecurityNoticeJob,
  SecurityNoticeSecret,
} from '@twostep/contracts';
import type { EmailMessage, OutgoingMessage, SmsMessage } from '../channels/message-channel';
import { DeliveryError, safeToken } from '../delivery/delivery-error';
import { EmailBlock, renderEmail } from './email-layout';
import { catalogFor, MessageCatalog } from './message-catalog';
import { cleanValue, fill, headerValue, TemplateVars } from './template-text';

const FALLBACK_PROJECT = 'Twostep';

function invalid(detail: string): DeliveryError {
  return DeliveryError.permanent(DeliveryFailureReason.InvalidPayload, detail);
}

/** A verification link we are willing to put in an email: absolute http(s), no credentials, one line. */
function safeLink(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value)) throw invalid('link rejected');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('link rejected');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) throw invalid('link rejected');
  return url.toString();
}

/** Intl formatters per locale: building one costs more than rendering a whole message, so it is done once. */
const pluralRules = new Map<string, Intl.PluralRules>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function pluralRulesFor(locale: string): Intl.PluralRules {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules;
}

function dateFormatFor(locale: string): Intl.DateTimeFormat {
  let format = dateFormats.get(locale);
  if (!format)
    dateFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' })));
  return format;
}

function minutesText(catalog: MessageCatalog, expiresAt: string, now: Date): string {
  const remaining = Math.max(1, Math.ceil((Date.parse(expiresAt) - now.getTime()) / 60_000));
  const category = pluralRulesFor(catalog.locale).select(remaining);
  return fill(category === 'one' ? catalog.minutes.one : catalog.minutes.other, { count: String(remaining) });
}

function requesterVars(catalog: MessageCatalog, requester: RequesterInfo | undefined): { client: string; device: string } {
  const client = cleanValue(requester?.clientName, 60) || catalog.unknownClient;
  const device =
    [cleanValue(requester?.deviceName, 60), cleanValue(requester?.osName, 60)].filter(Boolean).join(' ') || catalog.unknownDevice;
  return { client, device };
}

function greeting(catalog: MessageCatalog, userName: string): EmailBlock {
  return { kind: 'paragraph', text: userName ? catalog.greeting : catalog.greetingNoName };
}

function email(to: string, lang: string, subjectTemplate: string, preview: string, blocks: EmailBlock[], vars: TemplateVars): EmailMessage {
  const subject = headerValue(fill(subjectTemplate, vars, 'text'));
  const rendered = renderEmail({ lang, subject, preview, blocks, vars }, subject);
  return { channel: 'email', to, subject: rendered.subject, text: rendered.text, html: rendered.html };
}

/**
 * Turns a job and its opened secret into the message to send, in the job's language (English when
 * the language is unknown). User-provided values are cleaned of control characters and escaped in
 * HTML; a job whose content does not fit its kind is a permanent `invalid_payload` failure.
 */
@Injectable()
export class MessageRenderer {
  /** The message for an `otp-delivery` job (`destination` already validated for the channel). */
  otp(job: OtpDeliveryJob, secret: OtpDeliverySecret, destination: string, now: Date): OutgoingMessage {
    const catalog = catalogFor(job.locale);
    const project = cleanValue(job.projectName) || FALLBACK_PROJECT;
    const minutes = minutesText(catalog, job.expiresAt, now);
    switch (job.name) {
      case OtpDeliveryJobName.MfaChallengeCode: {
        const code = this.code(secret);
        if (job.channel === 'sms') return this.sms(destination, catalog.sms.mfaCode, { project, code, minutes });
        return this.mfaEmail(catalog, destination, { project, code, minutes, user: cleanValue(secret.userName) }, job.requester);
      }
      case OtpDeliveryJobName.PhoneVerificationCode: {
        if (job.channel !== 'sms') throw invalid('phone verification goes by sms');
        return this.sms(destination, catalog.sms.phoneVerification, { project, code: this.code(secret), minutes });
      }
      case OtpDeliveryJobName.EmailVerificationLink: {
        if (job.channel !== 'email') throw invalid('email verification goes by email');
        return this.linkEmail(catalog, catalog.emailVerification, destination, safeLink(secret.url), {
          project,
          minutes,
          user: cleanValue(secret.userName),
        });
      }
      case OtpDeliveryJobName.SignInCode: {
        const code = this.code(secret);
        if (job.channel === 'sms') return this.sms(destination, catalog.sms.signInCode, { project, code, minutes });
        return this.codeEmail(
          catalog,
          catalog.signInCode,
          destination,
          { project, code, minutes, user: cleanValue(secret.userName) },
          job.requester,
        );
      }
      case OtpDeliveryJobName.MagicUrlLink: {
        if (job.channel !== 'email') throw invalid('a sign-in link goes by email');
        return this.linkEmail(catalog, catalog.magicUrl, destination, safeLink(secret.url), {
          project,
          minutes,
          user: cleanValue(secret.userName),
        });
      }
      case OtpDeliveryJobName.PasswordRecoveryLink: {
        if (job.channel !== 'email') throw invalid('a recovery link goes by email');
        return this.linkEmail(catalog, catalog.passwordRecovery, destination, safeLink(secret.url), {
          project,
          minutes,
          user: cleanValue(secret.userName),
        });
      }
      default:
        return assertNever(job.name);
    }
  }

  /** The email for a `security-notices` job. */
  securityNotice(job: SecurityNoticeJob, secret: SecurityNoticeSecret, destination: string): EmailMessage {
    const catalog = catalogFor(job.locale);
    const notice = Object.prototype.hasOwnProperty.call(catalog.securityNotice.events, job.event)
      ? catalog.securityNotice.events[job.event as SecurityEvent]
      : undefined;
    if (!notice) throw invalid('unknown security event');
    const occurred = Number.isNaN(Date.parse(job.occurredAt)) ? new Date() : new Date(job.occurredAt);
    const time = `${dateFormatFor(catalog.locale).format(occurred)} UTC`;
    const user = cleanValue(secret.userName);
    const vars = { project: cleanValue(job.projectName) || FALLBACK_PROJECT, user, time, ...requesterVars(catalog, job.requester) };
    const t = catalog.securityNotice;
    const blocks: EmailBlock[] = [
      { kind: 'heading', text: notice.subject },
      greeting(catalog, user),
      { kind: 'paragraph', text: notice.summary },
      { kind: 'paragraph', text: t.when },
      ...(job.requester ? [{ kind: 'paragraph', text: t.requestedUsing } as const] : []),
      { kind: 'paragraph', text: t.ifNotYou },
      { kind: 'paragraph', text: `${catalog.thanks}\n${catalog.signature}` },
    ];
    return email(destination, catalog.locale, notice.subject, notice.summary, blocks, vars);
  }

  private code(secret: OtpDeliverySecret): string {
    if (typeof secret.code !== 'string' || !OTP_CODE_PATTERN.test(secret.code)) throw invalid('code missing or malformed');
    return secret.code;
  }

  private sms(to: string, template: string, vars: TemplateVars): SmsMessage {
    return { channel: 'sms', to, body: fill(template, vars, 'text') };
  }

  private mfaEmail(
    catalog: MessageCatalog,
    to: string,
    vars: { project: string; code: string; minutes: string; user: string },
    requester?: RequesterInfo,
  ): EmailMessage {
    return this.codeEmail(catalog, catalog.mfaChallenge, to, vars, requester);
  }

  /** An email whose action is one link (verification, magic URL sign-in, password recovery). */
  private linkEmail(
    catalog: MessageCatalog,
    t: MessageCatalog['emailVerification'],
    to: string,
    link: string,
    vars: { project: string; minutes: string; user: string },
  ): EmailMessage {
    const blocks: EmailBlock[] = [
      { kind: 'heading', text: t.heading },
      greeting(catalog, vars.user),
      { kind: 'paragraph', text: t.description },
      { kind: 'button', label: t.button, href: link },
      { kind: 'paragraph', text: t.linkFallback },
      { kind: 'url', href: link },
      { kind: 'paragraph', text: t.ignore },
      { kind: 'paragraph', text: `${catalog.thanks}\n${catalog.signature}` },
    ];
    return email(to, catalog.locale, t.subject, t.preview, blocks, vars);
  }

  /** An email whose content is one code (MFA challenge, sign-in code). */
  private codeEmail(
    catalog: MessageCatalog,
    t: MessageCatalog['mfaChallenge'],
    to: string,
    vars: { project: string; code: string; minutes: string; user: string },
    requester?: RequesterInfo,
  ): EmailMessage {
    const blocks: EmailBlock[] = [
      { kind: 'heading', text: t.heading },
      greeting(catalog, vars.user),
      { kind: 'paragraph', text: t.description },
      { kind: 'code', code: vars.code },
      { kind: 'paragraph', text: `${t.requestedUsing} ${t.ignore}` },
      { kind: 'paragraph', text: `${catalog.thanks}\n${catalog.signature}` },
    ];
    return email(to, catalog.locale, t.subject, t.preview, blocks, { ...vars, ...requesterVars(catalog, requester) });
  }
}

function assertNever(value: never): never {
  throw invalid(`unknown job ${safeToken(value)}`);
}
