import type { MailMessage } from './mailer';

/** Every e-mail the platform sends about care, in one place (account e-mails stay with accounts/). */
export type NoticeKind =
  'confirmation' | 'cancellation' | 'reschedule' | 'reminder' | 'follow-up' | 'prescription-ready' | 'report-uploaded';

export interface NoticeFacts {
  readonly kind: NoticeKind;
  /** The consultation's start, for appointment notices. */
  readonly start?: Date;
  /** For reminders: how long before the start (minutes). */
  readonly minutesBefore?: number;
  /** Who the consultation is with, as shown to the recipient. */
  readonly withWhom?: string;
  /** BCP 47 language of the recipient, if known; unsupported ones fall back to English. */
  readonly language?: string;
  /** IANA zone the times are shown in. */
  readonly timeZone: string;
  /** The recipient's portal. */
  readonly link: string;
}

type Texts = Record<NoticeKind, { subject: string; body: string }> & { with: string; open: string; signature: string };

/** `{when}`, `{in}`, `{with}` are filled in; `{with}` is empty when nobody is named. */
const TEXTS: Record<'en' | 'fr' | 'de', Texts> = {
  en: {
    confirmation: { subject: 'Your consultation is booked', body: 'Your consultation{with} is booked for {when}.' },
    cancellation: {
      subject: 'Your consultation has been cancelled',
      body: 'Your consultation{with} planned for {when} has been cancelled.',
    },
    reschedule: { subject: 'Your consultation has been moved', body: 'Your consultation{with} has been moved to {when}.' },
    reminder: { subject: 'Reminder: your consultation starts in {in}', body: 'Your consultation{with} starts in {in}, on {when}.' },
    'follow-up': { subject: 'A follow-up consultation is recommended', body: 'Your doctor recommends a follow-up consultation.' },
    'prescription-ready': { subject: 'Your prescription is ready', body: 'A new prescription is available in your MedBuddy account.' },
    'report-uploaded': { subject: 'A new report is available', body: 'A new report has been added to your MedBuddy account.' },
    with: ' with {name}',
    open: 'Open MedBuddy',
    signature: 'The MedBuddy team',
  },
  fr: {
    confirmation: { subject: 'Votre consultation est réservée', body: 'Votre consultation{with} est réservée pour le {when}.' },
    cancellation: { subject: 'Votre consultation a été annulée', body: 'Votre consultation{with} prévue le {when} a été annulée.' },
    reschedule: { subject: 'Votre consultation a été déplacée', body: 'Votre consultation{with} a été déplacée au {when}.' },
    reminder: {
      subject: 'Rappel : votre consultation commence dans {in}',
      body: 'Votre consultation{with} commence dans {in}, le {when}.',
    },
    'follow-up': { subject: 'Une consultation de suivi est recommandée', body: 'Votre médecin recommande une consultation de suivi.' },
    'prescription-ready': {
      subject: 'Votre ordonnance est prête',
      body: 'Une nouvelle ordonnance est disponible dans votre compte MedBuddy.',
    },
    'report-uploaded': {
      subject: 'Un nouveau compte rendu est disponible',
      body: 'Un nouveau compte rendu a été ajouté à votre compte MedBuddy.',
    },
    with: ' avec {name}',
    open: 'Ouvrir MedBuddy',
    signature: "L'équipe MedBuddy",
  },
  de: {
    confirmation: { subject: 'Ihr Termin ist gebucht', body: 'Ihr Termin{with} ist für {when} gebucht.' },
    cancellation: { subject: 'Ihr Termin wurde abgesagt', body: 'Ihr Termin{with} am {when} wurde abgesagt.' },
    reschedule: { subject: 'Ihr Termin wurde verschoben', body: 'Ihr Termin{with} wurde auf {when} verschoben.' },
    reminder: { subject: 'Erinnerung: Ihr Termin beginnt in {in}', body: 'Ihr Termin{with} beginnt in {in}, am {when}.' },
    'follow-up': { subject: 'Ein Folgetermin wird empfohlen', body: 'Ihre Ärztin oder Ihr Arzt empfiehlt einen Folgetermin.' },
    'prescription-ready': { subject: 'Ihr Rezept ist bereit', body: 'Ein neues Rezept ist in Ihrem MedBuddy-Konto verfügbar.' },
    'report-uploaded': { subject: 'Ein neuer Befund ist verfügbar', body: 'Ein neuer Befund wurde Ihrem MedBuddy-Konto hinzugefügt.' },
    with: ' mit {name}',
    open: 'MedBuddy öffnen',
    signature: 'Ihr MedBuddy-Team',
  },
};

export type RenderedNotice = Omit<MailMessage, 'to'> & { readonly language: keyof typeof TEXTS };

/** The subject, text and HTML of a notice, in the recipient's language and time zone. */
export function renderNotice(facts: NoticeFacts): RenderedNotice {
  const language = supportedLanguage(facts.language);
  const locale = facts.language && supportedLanguage(facts.language) === language ? facts.language : language;
  const texts = TEXTS[language];
  const fill = (template: string, escape: (s: string) => string): string =>
    template
      .replace('{with}', facts.withWhom ? texts.with.replace('{name}', escape(facts.withWhom)) : '')
      .replace('{when}', facts.start ? escape(formatWhen(facts.start, locale, facts.timeZone)) : '')
      .replace('{in}', escape(formatDuration(facts.minutesBefore ?? 0, locale)));
  const plain = (s: string): string => s;
  const subject = fill(texts[facts.kind].subject, plain);
  const text = `${fill(texts[facts.kind].body, plain)}\n\n${texts.open}: ${facts.link}\n\n${texts.signature}\n`;
  const html =
    `<!doctype html><html lang="${language}"><body>` +
    `<p>${fill(texts[facts.kind].body, escapeHtml)}</p>` +
    `<p><a href="${escapeHtml(facts.link)}">${escapeHtml(texts.open)}</a></p>` +
    `<p>${escapeHtml(texts.signature)}</p></body></html>`;
  return { subject, text, html, language };
}

function supportedLanguage(language: string | undefined): keyof typeof TEXTS {
  const base = (language ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'fr' || base === 'de' ? base : 'en';
}

function formatWhen(start: Date, locale: string, timeZone: string): string {
  const formatted = new Intl.DateTimeFormat(safeLocale(locale), { dateStyle: 'full', timeStyle: 'short', timeZone }).format(start);
  return `${formatted} (${timeZone})`;
}

function formatDuration(minutes: number, locale: string): string {
  const [value, unit] = minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return new Intl.NumberFormat(safeLocale(locale), { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

function safeLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
