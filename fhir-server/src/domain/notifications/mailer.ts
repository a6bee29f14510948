/** One e-mail, plain text (and optional HTML). */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * The port through which the domain sends e-mail (account verification, password reset,
 * appointment reminders). integrations/mailer.ts implements it with SMTP or an outbox folder.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Resolves when mail can be sent now (the SMTP server answers), for readiness checks. */
  verify(): Promise<void>;
  close(): Promise<void>;
}
